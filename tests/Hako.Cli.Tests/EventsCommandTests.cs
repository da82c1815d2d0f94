using System.Text.Json;
using Hako.Contracts;

namespace Hako.Cli.Tests;

/// <summary>hako events against a fake hakod: the query it sends, NDJSON and text output, and --follow over SSE.</summary>
public sealed class EventsCommandTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static EventInfo Event(long id, string type, string? counter = null, long? count = null, string? detail = null) => new()
    {
        Id = id,
        Time = T0.AddSeconds(id),
        Container = "web1",
        Kind = counter is null ? EventTypes.Lifecycle : EventTypes.Resource,
        Type = type,
        Counter = counter,
        Count = count,
        Detail = detail,
    };

    private static string Sse(params EventInfo[] events) => string.Concat(events.Select(e =>
        $"id: {e.Id}\ndata: {JsonSerializer.Serialize(e, HakoJsonContext.Default.EventInfo)}\n\n"));

    [Fact]
    public async Task Events_Json_PrintsOneCompactObjectPerLine_AndPassesTheFilters()
    {
        await using var hakod = await FakeHakod.StartAsync();
        List<EventInfo> events = [Event(1, "started"), Event(2, "limit_hit", "pids.max", 3, "process limit 64 reached")];
        hakod.On("GET", "/v1/events", 200, events, HakoJsonContext.Default.ListEventInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("events", "--container", "web1", "--type", "limit_hit", "--since", "1h", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("?container=web1&type=limit_hit&since=1h", hakod.Single("GET", "/v1/events").Query);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(events, lines.Select(l => JsonSerializer.Deserialize(l, HakoJsonContext.Default.EventInfo)));
        Assert.Contains("\"counter\":\"pids.max\"", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_Text_OneLinePerEvent_WithCounterAndCount()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/events", 200, [Event(1, "oom_kill", "oom_kill", 2, "a process was killed")], HakoJsonContext.Default.ListEventInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("events");

        Assert.Equal(0, run.ExitCode);
        var line = Assert.Single(run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  web1 +oom_kill +oom_kill ×2 +a process was killed$", line);
        Assert.DoesNotContain("\u001b[", line, StringComparison.Ordinal); // no colors through a pipe
    }

    [Fact]
    public async Task Events_Follow_StreamsEvents_ResumesAfterTheLastId_AndExitsZeroWhenStopped()
    {
        await using var hakod = await FakeHakod.StartAsync();
        // The first connection delivers two events and ends (as hakod does for a reader that fell behind);
        // the reconnect must ask for what came after them.
        hakod.On("GET", "/v1/events/stream", 200, Sse(Event(1, "started"), Event(2, "stopped")), "text/event-stream")
             .On("GET", "/v1/events/stream", 200, Sse(Event(3, "destroyed")), "text/event-stream")
             .On("GET", "/v1/events/stream", 200, "", "text/event-stream");
        using var stop = new CancellationTokenSource();

        var running = new TestCli(hakod.SocketPath).RunAsync(stop.Token, "events", "--follow", "--since", "10m", "--json");
        for (var i = 0; i < 100 && hakod.Requests.Count(r => r.Path == "/v1/events/stream") < 3; i++)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        var run = await running;

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        Assert.Equal([1L, 2L, 3L], run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize(l, HakoJsonContext.Default.EventInfo)!.Id));
        var queries = hakod.Requests.Where(r => r.Path == "/v1/events/stream").Select(r => r.Query).ToList();
        Assert.Equal(["?since=10m", "?after=2", "?after=3"], queries.Take(3));
    }

    [Fact]
    public async Task Events_UnknownType_ShowsHakodsMessage_AndExits1()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.OnProblem("GET", "/v1/events", new ProblemInfo
        {
            Title = "Invalid argument", Status = 400, Code = "InvalidArgument", Detail = "Event type 'boom' is unknown; use one of created, started",
        });

        var run = await new TestCli(hakod.SocketPath).RunAsync("events", "--type", "boom");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: Event type 'boom' is unknown; use one of created, started\n", run.Stderr);
    }
}
