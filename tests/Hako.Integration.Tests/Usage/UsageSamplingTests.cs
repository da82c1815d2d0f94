using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests.Usage;

/// <summary>A hakod that samples every second and buckets every 2 s, with the API on a loopback port too.</summary>
public sealed class UsageFixture : IAsyncLifetime
{
    public HakodNode Node { get; } = new();

    public int Port { get; } = FreePort();

    public string? SkipReason { get; private set; }

    public async Task InitializeAsync()
    {
        if (!HakodNode.CanRun(out var reason))
        {
            SkipReason = reason;
            return;
        }

        Node.ExtraArgs.AddRange(["--sample-interval", "1s", "--history-bucket", "2s", "--history-raw", "10s", "--listen", $"127.0.0.1:{Port}", "--insecure-http"]);
        await Node.StartAsync();
        await Node.BuildBusyboxAsync();
    }

    public async Task DisposeAsync()
    {
        if (SkipReason is null)
        {
            await Node.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

public sealed class UsageSamplingTests(UsageFixture fx) : IClassFixture<UsageFixture>
{
    private const long MiB = 1 << 20;

    private HakodNode Node => fx.Node;

    private async Task<LiveUsage> LiveAsync() =>
        (await Node.Http.GetFromJsonAsync("/v1/usage", HakoJsonContext.Default.LiveUsage))!;

    /// <summary>The container's live row, once the sampler has read it (a just-started container may not be in the newest reading yet).</summary>
    private async Task<UsageRow> RowAsync(string name)
    {
        for (var i = 0; i < 50; i++)
        {
            if ((await LiveAsync()).Containers.FirstOrDefault(c => c.Name == name) is { } row)
            {
                return row;
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"{name} never appeared in /v1/usage");
    }

    private async Task<UsageHistory> StatsAsync(string name, string query) =>
        (await Node.Http.GetFromJsonAsync($"/v1/containers/{name}/stats?{query}", HakoJsonContext.Default.UsageHistory))!;

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v[v.Length / 2];
    }

    [SkippableFact]
    public async Task KnownLoad_ShowsUpInTheSamples_WithinTolerance()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "load1", Template = "busybox", Memory = "256M", Disk = "256M", CpuLimit = "50%", Start = true });
        var baseline = await RowAsync("load1");

        // A busy loop held at half a core by cpulimit; 48 MiB held in a tmpfs file; a 32 MiB direct write to the disk.
        Assert.Equal(0, (await Node.ExecAsync("load1", "sh", "-c", "(while :; do :; done) </dev/null >/dev/null 2>&1 &")).ExitCode);
        var mem = await Node.ExecAsync("load1", "sh", "-c", "mkdir -p /tmp/hold && mount -t tmpfs -o size=100M tmpfs /tmp/hold && dd if=/dev/zero of=/tmp/hold/f bs=1M count=48");
        Assert.True(mem.ExitCode == 0, mem.Stderr);
        var dd = await Node.ExecAsync("load1", "dd", "if=/dev/zero", "of=/root/blob", "bs=1M", "count=32", "oflag=direct");
        Assert.True(dd.ExitCode == 0, dd.Stderr);
        await Task.Delay(TimeSpan.FromSeconds(6));

        var history = await StatsAsync("load1", "since=5s");
        Assert.Equal("raw", history.Source);
        var cpu = history.Metrics.Single(m => m.Metric == "cpu");
        Assert.Equal("cores", cpu.Unit);
        Assert.True(cpu.Points.Count >= 3, $"{cpu.Points.Count} cpu points in 5 s at a 1 s interval");
        var cores = Median(cpu.Points.Select(p => p.Mean));
        Assert.InRange(cores, 0.35, 0.65);

        var memory = history.Metrics.Single(m => m.Metric == "memory").Points[^1].Mean;
        Assert.InRange(memory, 48 * MiB, 48 * MiB + 40 * MiB);

        var now = await RowAsync("load1");
        var written = now.Totals!["io_write_bytes"] - baseline.Totals!.GetValueOrDefault("io_write_bytes");
        Assert.InRange(written, 32 * MiB, 32 * MiB + 16 * MiB);
        var disk = now.Values["disk"] - baseline.Values["disk"];
        Assert.InRange(disk, 31 * MiB, 32 * MiB + 8 * MiB);
        Assert.InRange(now.Values["cpu"], 0.3, 0.7);
        Assert.Equal(256 * MiB, now.Limits!["memory"]);
        Assert.Equal(0.5, now.Limits["cpu"]);
        Assert.True(now.Values["processes"] >= 2);

        // The node series is there too, with host CPU, memory and load.
        var live = await LiveAsync();
        Assert.True(live.Node.Values["memory"] > 0);
        Assert.True(live.Node.Values["cpu"] >= 0.3);
        Assert.True(live.Node.Values.ContainsKey("load1"));

        // Older ranges come from the 2 s buckets, with mean, max and p95.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var aggregated = await StatsAsync("load1", "since=15s&resource=cpu");
        Assert.Equal("aggregate", aggregated.Source);
        Assert.Equal(2, aggregated.ResolutionSeconds);
        Assert.All(aggregated.Metrics, m => Assert.Equal("cpu", m.Metric));
        var buckets = aggregated.Metrics.Single().Points;
        Assert.True(buckets.Count >= 4);
        Assert.All(buckets, b => Assert.True(b.Max >= b.P95 && b.P95 >= 0 && b.Max >= b.Mean - 1e-9));
        Assert.InRange(Median(buckets.Select(b => b.Mean)), 0.35, 0.65);

        await Node.DestroyAsync("load1");
    }

    [SkippableFact]
    public async Task ProcessLimitHits_AreCountedInTheSamples()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "hits1", Template = "busybox", Processes = 12, Disk = "256M", Start = true });
        await Node.ExecAsync("hits1", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 3 & done; wait");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var row = await RowAsync("hits1");
        Assert.True(row.Totals!["limit_hits"] >= 1, $"limit_hits {row.Totals["limit_hits"]}");
        await Node.DestroyAsync("hits1");
    }

    [SkippableFact]
    public async Task Metrics_ParseAsPrometheusText_AndCarryTheApiNumbers()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        Skip.IfNot(File.Exists("/usr/lib/python3/dist-packages/prometheus_client/parser.py"),
            "python3-prometheus-client is not installed (./test.sh installs it)");
        await Node.CreateAsync(new CreateContainerRequest { Name = "prom1", Template = "busybox", Memory = "128M", Disk = "128M", Processes = 50, Start = true });
        await Node.CreateAsync(new CreateContainerRequest { Name = "prom2", Template = "busybox", Disk = "128M" });
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        using var tcp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fx.Port}") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await tcp.GetAsync("/metrics")).StatusCode);
        var metricsToken = (await File.ReadAllTextAsync(Path.Combine(Node.DataDir, "metrics.token"))).Trim();
        tcp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", metricsToken);
        // The metrics token opens /metrics and nothing else.
        Assert.Equal(HttpStatusCode.Unauthorized, (await tcp.GetAsync("/v1/containers")).StatusCode);

        var live = await LiveAsync();
        using var response = await tcp.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();

        var samples = await ParseWithPrometheusClient(text);
        double Value(string name, string container, string? resource = null) =>
            samples.Single(s => s.Name == name && s.Labels.GetValueOrDefault("container") == container
                && (resource is null || s.Labels.GetValueOrDefault("resource") == resource)).Value;

        var row = live.Containers.Single(c => c.Name == "prom1");
        Assert.Equal(1, Value("hako_container_running", "prom1"));
        Assert.Equal(0, Value("hako_container_running", "prom2"));
        Assert.Equal(128 * MiB, Value("hako_container_limit", "prom1", "memory"));
        Assert.Equal(50, Value("hako_container_limit", "prom1", "processes"));
        Assert.InRange(Value("hako_container_cpu_seconds_total", "prom1"), row.Totals!["cpu"] - 0.5, row.Totals["cpu"] + 0.5);
        Assert.InRange(Value("hako_container_disk_used_bytes", "prom1"), row.Values["disk"] - MiB, row.Values["disk"] + MiB);
        Assert.InRange(Value("hako_container_memory_bytes", "prom1"), row.Values["memory"] * 0.5, row.Values["memory"] * 2 + MiB);
        Assert.Equal(row.Values["processes"], Value("hako_container_processes", "prom1"));
        // A stopped container has no usage series, and the node has its own.
        Assert.DoesNotContain(samples, s => s.Name == "hako_container_memory_bytes" && s.Labels.GetValueOrDefault("container") == "prom2");
        Assert.Contains(samples, s => s.Name == "hako_node_memory_bytes" && s.Value > 0);
        Assert.Contains(samples, s => s.Name == "hako_node_load1");
        Assert.Contains(samples, s => s.Name == "hako_sampler_sweeps_total" && s.Value >= 1);

        // A destroyed container's series go away.
        await Node.DestroyAsync("prom1");
        await Node.DestroyAsync("prom2");
        var after = await tcp.GetStringAsync("/metrics");
        Assert.DoesNotContain("container=\"prom1\"", after);
    }

    [SkippableFact]
    public async Task Stats_BadInput_SaysWhatToDo()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var missing = await Node.Http.GetAsync("/v1/containers/nosuch/stats");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var badResource = await HakodNode.ProblemAsync(await Node.Http.GetAsync("/v1/node/stats?resource=gpu"));
        Assert.Contains("cpu, memory, disk, io, net", badResource.Detail);
        var badSince = await HakodNode.ProblemAsync(await Node.Http.GetAsync("/v1/node/stats?since=yesterday"));
        Assert.Contains("30m, 1h, 7d", badSince.Detail);
        var node = (await Node.Http.GetFromJsonAsync("/v1/node/stats?since=30s", HakoJsonContext.Default.UsageHistory))!;
        Assert.Equal("@node", node.Series);
        Assert.Contains(node.Metrics, m => m.Metric == "load1");
    }

    private sealed record PromSample(string Name, Dictionary<string, string> Labels, double Value);

    /// <summary>Parses with the Prometheus project's own Python client parser: a format error fails the test.</summary>
    private static async Task<List<PromSample>> ParseWithPrometheusClient(string text)
    {
        const string script = """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    out.append({"name": s.name, "labels": s.labels, "value": s.value})
            print(json.dumps(out))
            """;
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-c", script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(text);
        p.StandardInput.Close();
        var stdout = await p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"prometheus_client could not parse /metrics: {stderr}\n{text}");
        using var doc = JsonDocument.Parse(stdout);
        return [.. doc.RootElement.EnumerateArray().Select(e => new PromSample(
            e.GetProperty("name").GetString()!,
            e.GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!),
            e.GetProperty("value").GetDouble()))];
    }
}
