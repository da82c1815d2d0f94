using System.Globalization;
using Hako.Contracts;
using Spectre.Console;

namespace Hako.Cli.Output;

/// <summary>
/// Follows a long operation (template build/import): a Spectre progress bar on a terminal, one line per
/// step otherwise, silence with --json/--quiet. Spectre is only loaded on the terminal path.
/// </summary>
internal static class OperationProgress
{
    public static Task<OperationInfo> FollowAsync(CliContext cli, OperationInfo operation, string title, CancellationToken cancellationToken)
    {
        if (cli.Json || cli.Quiet)
        {
            return cli.Client.WaitAsync(operation.Id, timeout: null, cancellationToken);
        }

        return cli.Interactive
            ? FollowWithBarAsync(cli, operation, title, cancellationToken)
            : FollowWithLinesAsync(cli, operation, cancellationToken);
    }

    private static Task<OperationInfo> FollowWithLinesAsync(CliContext cli, OperationInfo operation, CancellationToken cancellationToken)
    {
        string? lastStep = null;
        return cli.Client.WatchAsync(operation.Id, state =>
        {
            if (state.Step is { } step && step != lastStep)
            {
                lastStep = step;
                cli.Out.WriteLine($"[{state.Progress.ToString(CultureInfo.InvariantCulture),3}%] {step}");
            }
        }, cancellationToken: cancellationToken);
    }

    private static async Task<OperationInfo> FollowWithBarAsync(CliContext cli, OperationInfo operation, string title, CancellationToken cancellationToken)
    {
        // The caller checked that stdout is a terminal; Spectre cannot see that through a TextWriter.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(cli.Out), Interactive = InteractionSupport.Yes });
        OperationInfo? finished = null;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 100);
                finished = await cli.Client.WatchAsync(operation.Id, state =>
                {
                    task.Value = state.Progress;
                    if (state.Step is { } step)
                    {
                        task.Description = Markup.Escape($"{title}: {step}");
                    }
                }, cancellationToken: cancellationToken).ConfigureAwait(false);
                task.Description = Markup.Escape(title);
                task.Value = 100;
            }).ConfigureAwait(false);
        return finished!;
    }
}
