using System.Net.Http.Json;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Hako.Linux.Mounts;

namespace Hako.Integration.Tests.Migration;

/// <summary>
/// Two hakod nodes on this machine as two hosts of one site: separate data dirs, sockets, cgroups and TCP ports,
/// one shared bridge and address pool. The source has the busybox template and knows the target (hako node add).
/// </summary>
public sealed class NodePair : IAsyncDisposable
{
    private NodePair(HakodNode source, HakodNode target) => (Source, Target) = (source, target);

    public HakodNode Source { get; }
    public HakodNode Target { get; }

    /// <param name="configureTarget">Extra settings for the target before it starts (env vars, a data dir).</param>
    /// <param name="bothArgs">hakod flags for both nodes, e.g. --allow-unlimited-disk.</param>
    public static async Task<NodePair> StartAsync(Action<HakodNode>? configureTarget = null, string? targetDataDir = null, string[]? bothArgs = null)
    {
        var source = new HakodNode(listen: true);
        var target = new HakodNode(shareNetworkWith: source, listen: true, dataDir: targetDataDir);
        // Sample every second, so a container has usage history to move within a test's time.
        foreach (var node in new[] { source, target })
        {
            node.ExtraArgs.AddRange(["--sample-interval", "1s", "--history-bucket", "2s", "--history-raw", "10m"]);
            node.ExtraArgs.AddRange(bothArgs ?? []);
        }

        configureTarget?.Invoke(target);
        var pair = new NodePair(source, target);
        try
        {
            await source.StartAsync();
            await target.StartAsync(clean: targetDataDir is null);
            await source.BuildBusyboxAsync();
            var added = await source.PostAsync("/v1/nodes",
                new AddNodeRequest { Name = target.NodeName, Url = target.Url, Token = target.Token }, HakoJsonContext.Default.AddNodeRequest);
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    public Task<HttpResponseMessage> StartMigrationAsync(string name, MigrateRequest? req = null) =>
        Source.PostAsync($"/v1/containers/{name}/migrate", req ?? new MigrateRequest { Target = Target.NodeName }, HakoJsonContext.Default.MigrateRequest);

    public async Task<MigrationInfo> MigrateAsync(string name, MigrateRequest? req = null)
    {
        var op = await Source.MustSucceed(StartMigrationAsync(name, req));
        Assert.NotNull(op.Migration);
        return op.Migration!;
    }

    /// <summary>A busybox container whose init respawns a writer appending the next number to /data/log every 10 ms.</summary>
    public async Task CreateWriterAsync(string name, string disk = "1G")
    {
        await Source.CreateAsync(new CreateContainerRequest { Name = name, Template = "busybox", Disk = disk, Hostname = $"{name}.example.test", Start = true });
        await Source.ExecAsync(name, "sh", "-c", """
            mkdir -p /data
            cat > /writer.sh <<'W'
            i=$(tail -n 1 /data/log 2>/dev/null); i=${i:-0}
            while true; do i=$((i+1)); echo $i >> /data/log; usleep 10000; done
            W
            echo '::respawn:/bin/sh /writer.sh' >> /etc/inittab
            kill -HUP 1
            """);
        await WaitForLinesAsync(Source, name, 20);
    }

    public static async Task<int[]> ReadLogAsync(HakodNode node, string name)
    {
        var r = await node.ExecAsync(name, "cat", "/data/log");
        return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
    }

    public static async Task WaitForLinesAsync(HakodNode node, string name, int atLeast)
    {
        for (var i = 0; i < 100; i++)
        {
            var r = await node.ExecAsync(name, "sh", "-c", "wc -l < /data/log 2>/dev/null || echo 0");
            if (int.Parse(r.Stdout.Trim()) >= atLeast)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{name} on {node.NodeName} did not write {atLeast} lines");
    }

    /// <summary>Nothing of the container on the node: no row, LXC dir, private area, mount or loop device.</summary>
    public static async Task AssertNothingLeftAsync(HakodNode node, string name)
    {
        var r = await node.Http.GetAsync($"/v1/containers/{name}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, r.StatusCode);
        Assert.DoesNotContain(await node.ListAsync(), c => c.Name == name);
        Assert.False(Directory.Exists(Path.Combine(node.DataDir, "lxc", name)), $"lxc/{name} left on {node.NodeName}");
        Assert.False(File.Exists(Path.Combine(node.DataDir, "private", name + ".img")), $"private/{name}.img left on {node.NodeName}");
        Assert.False(Directory.Exists(Path.Combine(node.DataDir, "private", name)), $"private/{name} left on {node.NodeName}");
        Assert.DoesNotContain(MountInfo.Read(), m => m.MountPoint.StartsWith(node.DataDir + "/", StringComparison.Ordinal)
            && m.MountPoint.Split('/').Contains(name));
        Assert.Empty(HostCleanup.LoopDevicesUnder(Path.Combine(node.DataDir, "private", name)));
    }

    public static async Task<ContainerInfo?> FindAsync(HakodNode node, string name) =>
        (await node.ListAsync()).FirstOrDefault(c => c.Name == name);

    public async ValueTask DisposeAsync()
    {
        // The target first: the bridge belongs to the source.
        await Target.DisposeAsync();
        await Source.DisposeAsync();
    }
}
