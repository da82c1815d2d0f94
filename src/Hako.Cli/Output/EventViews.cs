using System.Globalization;
using System.Text.Json;
using Hako.Contracts;
using Spectre.Console;

namespace Hako.Cli.Output;

/// <summary>hako events output: one line per event, colored by kind on a terminal; one compact JSON object per line with --json.</summary>
internal sealed class EventWriter(CliContext cli)
{
    // Spectre only on a terminal: through a pipe the line stays plain text.
    private readonly IAnsiConsole? _console = cli.Interactive
        ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(cli.Out), Interactive = InteractionSupport.Yes })
        : null;

    public void Write(EventInfo e)
    {
        if (cli.Json)
        {
            cli.Out.WriteLine(JsonSerializer.Serialize(e, HakoJsonContext.Default.EventInfo));
        }
        else if (cli.Quiet)
        {
            return;
        }
        else if (_console is null)
        {
            cli.Out.WriteLine(EventViews.Line(e));
        }
        else
        {
            _console.MarkupLine($"[{EventViews.Color(e)}]{Markup.Escape(EventViews.Line(e))}[/]");
        }
    }
}

internal static class EventViews
{
    /// <summary>time, container, type, counter (×count), detail.</summary>
    public static string Line(EventInfo e)
    {
        var counter = e.Counter is null ? "" : e.Count is > 1 ? $"{e.Counter} ×{e.Count.Value.ToString(CultureInfo.InvariantCulture)}" : e.Counter;
        var line = string.Join("  ",
            e.Time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            (e.Container ?? "-").PadRight(12),
            e.Type.PadRight(16),
            counter.PadRight(18),
            e.Detail ?? "");
        return line.TrimEnd();
    }

    /// <summary>Lifecycle in blue, resource events in yellow, the ones that hurt (OOM kill, disk full) in red.</summary>
    public static string Color(EventInfo e) => e.Type switch
    {
        "oom_kill" or "disk_full" => "red",
        _ => e.Kind == EventTypes.Resource ? "yellow" : "deepskyblue1",
    };
}
