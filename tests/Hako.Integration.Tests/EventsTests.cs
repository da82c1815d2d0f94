using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests;

/// <summary>hako events against a real hakod: lifecycle and resource events, the SSE stream and its resume.</summary>
public sealed class EventsTests(NodeFixture fx) : IClassFixture<NodeFixture>
{
    private HakodNode Node => fx.Node;

    private async Task<List<EventInfo>> EventsAsync(string container) =>
        (await Node.Http.GetFromJsonAsync($"/v1/events?container={container}", HakoJsonContext.Default.ListEventInfo))!;

    /// <summary>Polls until an event matching <paramref name="match"/> is stored (limits every 2 s, beancounters every 10 s).</summary>
    private async Task<EventInfo?> WaitForEvent(string container, Func<EventInfo, bool> match)
    {
        for (var i = 0; i < 125; i++)
        {
            if ((await EventsAsync(container)).FirstOrDefault(match) is { } e)
            {
                return e;
            }

            await Task.Delay(200);
        }

        return null;
    }

    /// <summary>Opens GET /v1/events/stream; the headers arrive at once, before any event.</summary>
    private async Task<(HttpResponseMessage Response, IAsyncEnumerator<SseItem<EventInfo?>> Events)> OpenStreamAsync(
        string query, string? lastEventId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events/stream" + query);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await Node.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var parser = SseParser.Create(await response.Content.ReadAsStreamAsync(ct), (_, data) => JsonSerializer.Deserialize(data, HakoJsonContext.Default.EventInfo));
        return (response, parser.EnumerateAsync(ct).GetAsyncEnumerator(ct));
    }

    private static async Task<EventInfo> NextAsync(IAsyncEnumerator<SseItem<EventInfo?>> events)
    {
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)), "the event stream ended");
        var e = events.Current.Data!;
        Assert.Equal(e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), events.Current.EventId);
        return e;
    }

    [SkippableFact]
    public async Task Lifecycle_CreateStartStopDestroy_AreStoredInOrder()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "ev1", Template = "busybox", Disk = "256M" });
        await Node.StartAsync("ev1");
        await Node.StopAsync("ev1");
        await Node.DestroyAsync("ev1");

        var events = await EventsAsync("ev1");
        Assert.Equal(["created", "started", "stopped", "destroyed"], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(("ev1", "lifecycle"), (e.Container!, e.Kind)));
        Assert.StartsWith("clean", events[2].Detail, StringComparison.Ordinal);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Id < p.Second.Id && p.First.Time <= p.Second.Time));
        Assert.Equal(["started"], (await Node.Http.GetFromJsonAsync("/v1/events?container=ev1&type=started&since=1h",
            HakoJsonContext.Default.ListEventInfo))!.Select(e => e.Type));
    }

    [SkippableFact]
    public async Task DestroyingARunningContainer_RecordsItsForcedStop()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "ev3", Template = "busybox", Disk = "256M", Start = true });
        await Node.DestroyAsync("ev3", force: true);

        var events = await EventsAsync("ev3");
        Assert.Equal(["created", "started", "stopped", "destroyed"], events.Select(e => e.Type));
        Assert.StartsWith("forced", events[2].Detail, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Stream_DeliversLiveEvents_AndResumesAfterLastEventIdWithoutGapsOrDuplicates()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var (response, stream) = await OpenStreamAsync("?container=ev2", null, cts.Token);
        EventInfo created;
        using (response)
        await using (stream)
        {
            await Node.CreateAsync(new CreateContainerRequest { Name = "ev2", Template = "busybox", Disk = "256M", Start = true });
            created = await NextAsync(stream);
            Assert.Equal("created", created.Type);
            Assert.Equal("started", (await NextAsync(stream)).Type);
        }

        // The client went away after "created" had been processed: events that happen meanwhile are not lost.
        await Node.StopAsync("ev2", force: true);
        var (resumed, again) = await OpenStreamAsync("?container=ev2", created.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), cts.Token);
        using (resumed)
        await using (again)
        {
            var started = await NextAsync(again);
            var stopped = await NextAsync(again);
            Assert.Equal(("started", "stopped"), (started.Type, stopped.Type));
            Assert.StartsWith("forced", stopped.Detail, StringComparison.Ordinal);
            await Node.DestroyAsync("ev2");
            var destroyed = await NextAsync(again); // live, after the replay
            Assert.Equal("destroyed", destroyed.Type);
            Assert.True(created.Id < started.Id && started.Id < stopped.Id && stopped.Id < destroyed.Id);
        }

        Assert.Equal(4, (await EventsAsync("ev2")).Count);
    }

    [SkippableFact]
    public async Task OomKill_AndPidsMaxHit_AppearAsResourceEventsWithTheirCounters()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "evmem", Template = "busybox", Memory = "64M", Swap = "0", Disk = "256M", Start = true });
        await Node.CreateAsync(new CreateContainerRequest { Name = "evfork", Template = "busybox", Processes = 64, Disk = "256M", Start = true });

        // dd with a 200M block touches a 200M buffer, far past the 64M limit: the OOM killer ends it.
        Assert.NotEqual(0, (await Node.ExecAsync("evmem", "dd", "if=/dev/zero", "of=/dev/null", "bs=200M", "count=1")).ExitCode);
        var bomb = Node.ExecAsync("evfork", "sh", "-c", "b() { b | b & }; b; sleep 3");

        var oom = await WaitForEvent("evmem", e => e.Type == "oom_kill");
        Assert.NotNull(oom);
        Assert.Equal(("resource", "oom_kill"), (oom!.Kind, oom.Counter!));
        Assert.True(oom.Count >= 1);
        // (memory.failcnt may stay 0: with no swap allowed the kernel hits memsw first.)

        var pids = await WaitForEvent("evfork", e => e is { Type: "limit_hit", Counter: "pids.max" });
        Assert.NotNull(pids);
        Assert.True(pids!.Count >= 1);
        Assert.Contains("numproc", pids.Detail, StringComparison.Ordinal);

        await Node.StopAsync("evfork", force: true);
        await bomb.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
        await Node.DestroyAsync("evmem");
        await Node.DestroyAsync("evfork");
    }

    [SkippableFact]
    public async Task AccountedBeancounterPastItsLimit_IsALimitHitNamedAfterIt()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest
        {
            Name = "evubc", Template = "busybox", Disk = "256M", Start = true,
            Resources = new ResourceSettings { Mode = "ubc", Beancounters = new Dictionary<string, string> { ["numfile"] = "64:64" } },
        });
        // numfile is only accounted (the kernel has no such limit): 40 sleeps hold 3 files each, past 64.
        await Node.ExecAsync("evubc", "sh", "-c", "for i in $(seq 40); do sleep 30 </dev/null >/dev/null 2>&1 & done");

        var hit = await WaitForEvent("evubc", e => e is { Type: "limit_hit", Counter: "numfile" });
        Assert.NotNull(hit);
        Assert.Contains("limit 64", hit!.Detail, StringComparison.Ordinal);
        await Node.DestroyAsync("evubc");
    }

    [SkippableFact]
    public async Task ContainerWhoseInitIsKilled_IsReportedStoppedOnItsOwn_Once()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "evdie", Template = "busybox", Disk = "256M", Start = true });
        var pid = (await Node.ShowAsync("evdie")).InitPid!.Value;

        System.Diagnostics.Process.Start("kill", ["-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

        var stopped = await WaitForEvent("evdie", e => e.Type == "stopped");
        Assert.NotNull(stopped);
        Assert.Contains("on its own", stopped!.Detail, StringComparison.Ordinal);
        await Task.Delay(5000); // a few more monitor polls must not report it again
        Assert.Single(await EventsAsync("evdie"), e => e.Type == "stopped");
        await Node.DestroyAsync("evdie");
    }

    [SkippableFact]
    public async Task DiskPast90Percent_IsReportedNearlyFull_Once()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "evdisk", Template = "busybox", Disk = "64M", Start = true });
        var df = (await Node.ExecAsync("evdisk", "df", "-m", "/")).Stdout.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var fill = int.Parse(df[3], System.Globalization.CultureInfo.InvariantCulture) - 2; // leave ~2M of the available space

        Assert.Equal(0, (await Node.ExecAsync("evdisk", "dd", "if=/dev/zero", "of=/root/fill", "bs=1M", $"count={fill}")).ExitCode);

        var nearly = await WaitForEvent("evdisk", e => e.Type == "disk_nearly_full");
        Assert.NotNull(nearly);
        Assert.Equal(("resource", "diskspace"), (nearly!.Kind, nearly.Counter!));
        await Task.Delay(4500);
        Assert.Single(await EventsAsync("evdisk"), e => e.Type == "disk_nearly_full");
        await Node.DestroyAsync("evdisk");
    }

    [SkippableFact]
    public async Task StoppingHakod_EndsOpenStreams_WithoutWaitingForThem()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode();
        await node.StartAsync();
        using var response = await node.Http.GetAsync("/v1/events/stream", HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();

        var sw = System.Diagnostics.Stopwatch.StartNew();
        await node.StopDaemonAsync();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"hakod took {sw.Elapsed} to stop with a stream open");
        Assert.Equal(0, await body.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [SkippableFact]
    public async Task BadQuery_IsRefusedWithEveryProblem()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var r = await Node.Http.GetAsync("/v1/events?type=boom&since=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = await HakodNode.ProblemAsync(r);
        Assert.Equal("InvalidArgument", problem.Code);
        Assert.Equal(2, problem.Errors!.Count);
        Assert.Contains("oom_kill", problem.Errors[0], StringComparison.Ordinal);
        Assert.Contains("30m, 1h", problem.Errors[1], StringComparison.Ordinal);
    }
}
