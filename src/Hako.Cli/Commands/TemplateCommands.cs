using System.CommandLine;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako template list|show|build|import|remove: OS templates (vzctl's template caches, incus images).</summary>
internal static class TemplateCommands
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var template = new Command("template", "Manage OS templates that containers are created from");
        template.Aliases.Add("templates");
        template.Subcommands.Add(new TemplateListCommand(environment, globals));
        template.Subcommands.Add(new TemplateShowCommand(environment, globals));
        template.Subcommands.Add(new TemplateBuildCommand(environment, globals));
        template.Subcommands.Add(new TemplateImportCommand(environment, globals));
        template.Subcommands.Add(new TemplateRemoveCommand(environment, globals));
        return template;
    }

    internal static Argument<string> TemplateName(string description = "Template name") => new("name") { Description = description };

    /// <summary>After build/import: one summary line, or the template's JSON.</summary>
    internal static async Task<int> ReportAsync(CliContext cli, string name, string verb, CancellationToken cancellationToken)
    {
        var template = await cli.Client.GetTemplateAsync(name, cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(template, HakoJsonContext.Default.TemplateInfo);
        }
        else
        {
            cli.Say($"Template {template.Name} {verb} ({Sizes.Format(template.SizeBytes)}, {template.Files} files)");
        }

        return ExitCodes.Ok;
    }
}

internal sealed class TemplateListCommand : HakoCommand
{
    public TemplateListCommand(CliEnvironment environment, GlobalOptions globals)
        : base("list", "List templates", environment, globals)
    {
        Aliases.Add("ls");
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var templates = await cli.Client.ListTemplatesAsync(cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(templates, HakoJsonContext.Default.ListTemplateInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(NodeViews.RenderTemplates(templates));
        }

        return ExitCodes.Ok;
    }
}

internal sealed class TemplateShowCommand : HakoCommand
{
    private readonly Argument<string> _name = TemplateCommands.TemplateName();

    public TemplateShowCommand(CliEnvironment environment, GlobalOptions globals)
        : base("show", "Show a template and the containers using it", environment, globals)
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var template = await cli.Client.GetTemplateAsync(parseResult.GetValue(_name)!, cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(template, HakoJsonContext.Default.TemplateInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(NodeViews.RenderTemplate(template));
        }

        return ExitCodes.Ok;
    }
}

internal sealed class TemplateBuildCommand : HakoCommand
{
    private readonly Argument<string> _name = TemplateCommands.TemplateName("What to build: busybox, or debian-12 (debootstrap)");
    private readonly Option<string?> _mirror = new("--mirror") { Description = "Debian mirror for debootstrap", HelpName = "URL" };

    public TemplateBuildCommand(CliEnvironment environment, GlobalOptions globals)
        : base("build", "Build a template on this node (busybox, debian-12)", environment, globals)
    {
        Arguments.Add(_name);
        Options.Add(_mirror);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var request = new BuildTemplateRequest { Name = name, Mirror = parseResult.GetValue(_mirror) };
        var operation = await cli.Client.BuildTemplateAsync(request, cancellationToken).ConfigureAwait(false);
        await OperationProgress.FollowAsync(cli, operation, $"Building {name}", cancellationToken).ConfigureAwait(false);
        return await TemplateCommands.ReportAsync(cli, name, "built", cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class TemplateImportCommand : HakoCommand
{
    private readonly Argument<string> _name = TemplateCommands.TemplateName();
    private readonly Argument<string> _file = new("file") { Description = "rootfs tarball (tar.gz, tar.xz, tar.zst) on the node" };

    public TemplateImportCommand(CliEnvironment environment, GlobalOptions globals)
        : base("import", "Import a rootfs tarball as a template", environment, globals)
    {
        Arguments.Add(_name);
        Arguments.Add(_file);
    }

    /// <summary>hakod resolves paths from its own working directory, so send an absolute one.</summary>
    internal ImportTemplateRequest ToRequest(ParseResult r) =>
        new() { Name = r.GetValue(_name)!, Path = Path.GetFullPath(r.GetValue(_file)!) };

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var request = ToRequest(parseResult);
        if (cli.Client.Endpoint.IsLocal && !File.Exists(request.Path))
        {
            throw new CliException($"Template file {request.Path} does not exist; give the path of a rootfs tarball on this node");
        }

        var operation = await cli.Client.ImportTemplateAsync(request, cancellationToken).ConfigureAwait(false);
        await OperationProgress.FollowAsync(cli, operation, $"Importing {request.Name}", cancellationToken).ConfigureAwait(false);
        return await TemplateCommands.ReportAsync(cli, request.Name, "imported", cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class TemplateRemoveCommand : HakoCommand
{
    private readonly Argument<string> _name = TemplateCommands.TemplateName();

    public TemplateRemoveCommand(CliEnvironment environment, GlobalOptions globals)
        : base("remove", "Remove a template no container uses", environment, globals)
    {
        Aliases.Add("rm");
        Arguments.Add(_name);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        await cli.Client.DeleteTemplateAsync(name, cancellationToken).ConfigureAwait(false);
        cli.Say($"Template {name} removed");
        return ExitCodes.Ok;
    }
}
