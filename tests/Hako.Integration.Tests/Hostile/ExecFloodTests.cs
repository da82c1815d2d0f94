using System.Diagnostics;
using System.Net;
using Hako.Client;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests.Hostile;

/// <summary>
/// A tenant's output cannot grow hakod: exec output streams with backpressure, the buffered form is capped, and
/// the guest binaries hakod runs itself (`hostname` on hako set --hostname) are held in time and output.
/// </summary>
public sealed class ExecFloodTests(NodeFixture fx) : IClassFixture<NodeFixture>
{
    private const long TwoGigabytes = 2L << 30;
    private const long AllowedGrowth = 100L << 20;

    private HakodNode Node => fx.Node;

    private HakoClient Client() => new(HakoEndpoint.ForSocket(Node.Socket));

    private async Task<string> RunningContainer(string name)
    {
        if ((await Node.ListAsync()).All(c => c.Name != name))
        {
            await Node.CreateAsync(new CreateContainerRequest { Name = name, Template = "busybox", Disk = "256M", Start = true });
        }

        return name;
    }

    [SkippableFact]
    public async Task ExecStream_TwoGigabytesOfOutput_ArriveWhole_AndHakodStaysFlat()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var name = await RunningContainer("flood1");
        using var client = Client();
        var stdout = new CountingStream();
        var stderr = new MemoryStream();
        var sw = Stopwatch.StartNew();
        int exit;
        await using (var memory = HakodMemory.Watch(Node.Pid!.Value))
        {
            exit = await client.ExecStreamAsync(name,
                new ExecRequest { Command = ["sh", "-c", "dd if=/dev/zero bs=1048576 count=2048 2>/dev/null; echo done >&2; exit 42"] },
                stdout, stderr);
            Console.WriteLine($"2 GB exec stream in {sw.Elapsed.TotalSeconds:0.0} s: {memory}; VmHWM {HakodMemory.Hwm(Node.Pid!.Value) >> 20} MB");
            Assert.True(memory.Growth < AllowedGrowth, $"{memory} while streaming 2 GB");
        }

        Assert.Equal(42, exit);
        Assert.Equal(TwoGigabytes, stdout.Count);
        Assert.Equal("done\n", System.Text.Encoding.UTF8.GetString(stderr.ToArray()));
    }

    [SkippableFact]
    public async Task ExecStream_ReaderThatStops_StopsTheCommand_NotHakod()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var name = await RunningContainer("flood1");
        using var client = Client();
        using var cts = new CancellationTokenSource();
        var sink = new CountingStream { OnWrite = (count) => { if (count > (64L << 20)) { cts.Cancel(); } } };
        await using (var memory = HakodMemory.Watch(Node.Pid!.Value))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ExecStreamAsync(name,
                new ExecRequest { Command = ["sh", "-c", "cat /dev/zero"] }, sink, Stream.Null, cts.Token));
            Assert.True(memory.Growth < AllowedGrowth, memory.ToString());
        }

        // The command went with the client: no `cat /dev/zero` is left in the container.
        await WaitUntil(async () => !(await Node.ExecAsync(name, "ps")).Stdout.Contains("cat /dev/zero", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
    }

    [SkippableFact]
    public async Task ExecBuffered_OverTheCap_Is400PointingAtTheStreamingForm()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var name = await RunningContainer("flood1");
        await using var memory = HakodMemory.Watch(Node.Pid!.Value);
        var r = await Node.PostAsync($"/v1/containers/{name}/exec", new ExecRequest { Command = ["cat", "/dev/zero"] }, HakoJsonContext.Default.ExecRequest);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var p = await HakodNode.ProblemAsync(r);
        Assert.Equal("InvalidArgument", p.Code);
        Assert.Contains("exceeded 4M", p.Detail);
        Assert.Contains("exec/stream", p.Detail);
        Assert.True(memory.Growth < AllowedGrowth, memory.ToString());
        // Small output still comes back whole in the buffered form.
        Assert.Equal("hi\n", (await Node.ExecAsync(name, "echo", "hi")).Stdout);
    }

    [SkippableFact]
    public async Task SetHostname_WithAChattyHostnameBinary_FailsCleanly_AndHakodStaysFlat()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var name = await RunningContainer("chatty1");
        await ReplaceHostname(name, "while :; do echo chatty chatty chatty chatty; done");
        await using var memory = HakodMemory.Watch(Node.Pid!.Value);
        var sw = Stopwatch.StartNew();
        var r = await SetHostname(name, "renamed1");
        Console.WriteLine($"chatty hostname: {(int)r.StatusCode} in {sw.Elapsed.TotalSeconds:0.0} s, {memory}");
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        var p = await HakodNode.ProblemAsync(r);
        Assert.Contains("printed more than 1M", p.Detail);
        Assert.Contains("applies at the next start", p.Detail);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"took {sw.Elapsed}");
        Assert.True(memory.Growth < AllowedGrowth, memory.ToString());
        await AssertNoHostnameLeft(name);
        Assert.Equal("renamed1", (await Node.ShowAsync(name)).Hostname); // saved for the next start
    }

    [SkippableFact]
    public async Task SetHostname_WithAnEndlessSilentHostnameBinary_FailsAtTheTimeout()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var name = await RunningContainer("endless1");
        await ReplaceHostname(name, "while :; do sleep 1; done");
        await using var memory = HakodMemory.Watch(Node.Pid!.Value);
        var sw = Stopwatch.StartNew();
        var r = await SetHostname(name, "renamed2");
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Contains("did not finish within 10 s", (await HakodNode.ProblemAsync(r)).Detail);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(25), $"took {sw.Elapsed}");
        Assert.True(memory.Growth < AllowedGrowth, memory.ToString());
        await AssertNoHostnameLeft(name);
    }

    [SkippableFact]
    public async Task SetHostname_WithAHostnameThatLeavesAChildHoldingItsOutput_ReturnsWithinSeconds()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var name = await RunningContainer("holder1");
        await ReplaceHostname(name, "setsid sh -c \"while :; do sleep 1; done\" &\nexit 0");
        var sw = Stopwatch.StartNew();
        var r = await SetHostname(name, "renamed3");
        // The command exited; the child it left holds stdout open: hakod waits a short grace, not forever.
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    /// <summary>The tenant replaces the hostname command hakod will run (busybox: a symlink to busybox) with a script.</summary>
    private async Task ReplaceHostname(string name, string body)
    {
        // lxc-attach finds `hostname` on PATH=/usr/sbin:/usr/bin:/sbin:/bin; busybox has it at /bin/hostname.
        var r = await Node.ExecAsync(name, "sh", "-c",
            $"for d in /usr/sbin /usr/bin /sbin /bin; do if [ -e $d/hostname ]; then rm -f $d/hostname && printf '#!/bin/sh\\n{body}\\n' > $d/hostname && chmod 755 $d/hostname; fi; done; cat /bin/hostname");
        Assert.True(r.ExitCode == 0 && r.Stdout.Contains(body, StringComparison.Ordinal), r.Stdout + r.Stderr);
    }

    private Task<HttpResponseMessage> SetHostname(string name, string hostname) =>
        Node.Http.PatchAsync($"/v1/containers/{name}",
            System.Net.Http.Json.JsonContent.Create(new UpdateContainerRequest { Hostname = hostname }, HakoJsonContext.Default.UpdateContainerRequest));

    /// <summary>The killed script is gone: nothing of it still runs in the container.</summary>
    private async Task AssertNoHostnameLeft(string name) =>
        await WaitUntil(async () => !(await Node.ExecAsync(name, "ps")).Stdout.Contains("hostname", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

    private static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {timeout}");
            await Task.Delay(200);
        }
    }

    /// <summary>A sink that counts what it is given and keeps nothing.</summary>
    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }
        public Action<long>? OnWrite { get; init; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Count;
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Add(count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Add(buffer.Length);
            return ValueTask.CompletedTask;
        }

        private void Add(int n)
        {
            Count += n;
            OnWrite?.Invoke(Count);
        }
    }
}
