using System.CommandLine;
using Hako.Cli.Output;
using Hako.Client;

namespace Hako.Cli.Commands;

/// <summary>hako remote add|list|remove: remote hakods by name, with their TLS certificate pinned on first contact.</summary>
internal static class RemoteCommands
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var remote = new Command("remote", "Remote hakods this CLI talks to over HTTPS (use one with --remote NAME or HAKO_REMOTE)");
        remote.Subcommands.Add(new RemoteAddCommand(environment, globals));
        remote.Subcommands.Add(new RemoteListCommand(environment, globals));
        remote.Subcommands.Add(new RemoteRemoveCommand(environment, globals));
        return remote;
    }
}

internal sealed class RemoteAddCommand : HakoCommand
{
    private readonly Argument<string> _name = new("name") { Description = "A name for it, e.g. the node's name" };
    private readonly Argument<string> _url = new("url") { Description = "Its hakod --listen address, e.g. https://192.0.2.10:8443" };
    private readonly Option<string> _token = new("--token") { Description = "Its API token (DATA-DIR/api.token on that node)", Required = true, HelpName = "T" };
    private readonly Option<string?> _fingerprint = new("--fingerprint")
    {
        Description = "The fingerprint that node's `hako node` prints; checked instead of trusting the first contact",
        HelpName = "sha256:HEX",
    };

    public RemoteAddCommand(CliEnvironment environment, GlobalOptions globals)
        : base("add", "Add a remote hakod: pins its TLS certificate and checks the token", environment, globals)
    {
        Arguments.Add(_name);
        Arguments.Add(_url);
        Options.Add(_token);
        Options.Add(_fingerprint);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var text = parseResult.GetValue(_url)!;
        var token = parseResult.GetValue(_token)!.Trim();
        if (name.Length is 0 or > 63 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw CliException.Usage($"Remote name '{name}' must be 1-63 letters, digits, '-', '_' or '.'");
        }

        if (CertificatePin.CheckNodeUrl(text, out var checkedUrl) is { } urlError)
        {
            throw CliException.Usage(urlError);
        }

        var url = checkedUrl!;

        string? pinned = null;
        if (parseResult.GetValue(_fingerprint) is { } given && (pinned = CertificatePin.Normalize(given)) is null)
        {
            throw CliException.Usage($"--fingerprint '{given}' is not a SHA-256 fingerprint; copy the one `hako node` prints on that node (sha256:...)");
        }

        var remotes = Remotes.Load(cli.Environment.GetVariable);
        if (remotes.File.Remotes.ContainsKey(name))
        {
            throw new CliException($"Remote {name} exists; remove it first (hako remote remove {name}) to change its URL, token or certificate");
        }

        if (url.Scheme == Uri.UriSchemeHttps)
        {
            var seen = await CertificatePin.FetchAsync(url, cancellationToken).ConfigureAwait(false);
            if (pinned is not null && pinned != seen)
            {
                throw new CliException(CertificatePin.MismatchMessage(url, pinned, seen));
            }

            pinned = seen;
        }

        // Check the token (and that a hakod answers) through the pinned connection before saving anything.
        using (var client = new HakoClient(HakoEndpoint.ForUrl(url, token, pinned)))
        {
            var node = await client.GetNodeAsync(cancellationToken).ConfigureAwait(false);
            remotes.File.Remotes[name] = new RemoteEntry { Url = url.ToString(), Token = token, Fingerprint = pinned };
            remotes.Save();
            cli.Say($"Remote {name} added: node {node.NodeName} at {url}"
                + (pinned is null ? " (plain HTTP on loopback)" : $", certificate {pinned} pinned"));
        }

        return ExitCodes.Ok;
    }
}

internal sealed class RemoteListCommand : HakoCommand
{
    public RemoteListCommand(CliEnvironment environment, GlobalOptions globals)
        : base("list", "List the remotes (URL and pinned certificate; tokens are not shown)", environment, globals)
    {
        Aliases.Add("ls");
    }

    protected override Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var remotes = Remotes.Load(cli.Environment.GetVariable);
        if (!cli.Quiet)
        {
            var table = new TextTable("NAME", "URL", "FINGERPRINT");
            foreach (var (name, r) in remotes.File.Remotes)
            {
                table.AddRow(name, r.Url, r.Fingerprint ?? "- (http on loopback)");
            }

            cli.Out.Write(table.Render());
        }

        return Task.FromResult(ExitCodes.Ok);
    }
}

internal sealed class RemoteRemoveCommand : HakoCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The remote's name" };

    public RemoteRemoveCommand(CliEnvironment environment, GlobalOptions globals)
        : base("remove", "Forget a remote (its token and pinned certificate)", environment, globals)
    {
        Aliases.Add("rm");
        Arguments.Add(_name);
    }

    protected override Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var remotes = Remotes.Load(cli.Environment.GetVariable);
        if (!remotes.File.Remotes.Remove(name))
        {
            throw new CliException($"No remote named '{name}' (see hako remote list)");
        }

        remotes.Save();
        cli.Say($"Remote {name} removed");
        return Task.FromResult(ExitCodes.Ok);
    }
}
