using System.Diagnostics;
using Hako.Linux.Files;
using Hako.Linux.Processes;

namespace Hako.Linux.Tests;

/// <summary>ProcessRunner holds output within its limit and kills what passes it or its time (real processes).</summary>
public sealed class ProcessRunnerTests
{
    [Fact]
    public async Task Run_SmallOutput_IsKeptWhole()
    {
        var r = await ProcessRunner.RunAsync("sh", ["-c", "echo out; echo err >&2; exit 3"]);
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
    }

    [Fact]
    public async Task Run_OutputOverTheKeptPart_KeepsHeadAndTail_AndSaysHowMuchWasDropped()
    {
        // 100 000 lines of 7 bytes: more than 2 x 1K kept, less than the 1M kill point.
        var limit = new OutputLimit(1024, 1024, 1 << 20);
        var r = await ProcessRunner.RunAsync("sh", ["-c", "seq 1000000 1099999; echo LAST"], limit: limit);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("1000000\n1000001\n", r.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("1099999\nLAST\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("bytes not kept", r.Stdout, StringComparison.Ordinal);
        Assert.True(r.Stdout.Length < 3000, $"kept {r.Stdout.Length} chars");
    }

    [Fact]
    public async Task Run_EndlessOutput_IsKilledPastTheHardCap()
    {
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ProcessLimitException>(() =>
            ProcessRunner.RunAsync("sh", ["-c", "while :; do echo chatty; done"], timeout: TimeSpan.FromSeconds(30), limit: OutputLimit.Guest));
        Assert.False(e.TimedOut);
        Assert.Contains("printed more than 1M and was stopped", e.Message, StringComparison.Ordinal);
        Assert.True(e.Partial.Stdout.Length <= (128 << 10) + 100);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task Run_EndlessSilentProcess_IsKilledAtTheTimeout()
    {
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ProcessLimitException>(() =>
            ProcessRunner.RunAsync("sleep", ["600"], timeout: TimeSpan.FromSeconds(1), limit: OutputLimit.Guest));
        Assert.True(e.TimedOut);
        Assert.Contains("did not finish within", e.Message, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task Run_ChildHoldingThePipes_DoesNotHangTheCall()
    {
        // The shell exits at once; the background sleep keeps stdout open for a minute.
        var sw = Stopwatch.StartNew();
        var r = await ProcessRunner.RunAsync("sh", ["-c", "echo started; sleep 60 & exit 0"], timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("started\n", r.Stdout);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task Stream_LargeOutput_ArrivesWhole_InChunks()
    {
        long bytes = 0;
        var largest = 0;
        var exit = await ProcessStreamer.RunAsync(new ProcessStartInfo("sh") { ArgumentList = { "-c", "head -c 50000000 /dev/zero; echo e >&2; exit 7" } }, null,
            (fd, data, _) =>
            {
                if (fd == 1)
                {
                    bytes += data.Length;
                    largest = Math.Max(largest, data.Length);
                }

                return ValueTask.CompletedTask;
            }, CancellationToken.None);
        Assert.Equal(7, exit);
        Assert.Equal(50_000_000, bytes);
        Assert.True(largest <= ProcessStreamer.ChunkSize);
    }

    [Fact]
    public async Task Stream_SlowReader_SlowsTheProcess_InsteadOfBuffering()
    {
        // A reader taking 10 ms a chunk: after 1 s the process cannot have written much more than the reader took.
        long taken = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var counter = Path.Combine(Path.GetTempPath(), $"hako-stream-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ProcessStreamer.RunAsync(
                new ProcessStartInfo("sh") { ArgumentList = { "-c", $"head -c 500000000 /dev/zero | tee {counter}.data" } }, null,
                async (_, data, ct) =>
                {
                    taken += data.Length;
                    await Task.Delay(10, ct);
                }, cts.Token));
            var written = new FileInfo(counter + ".data").Length;
            // Pipe buffers (64K each) and one chunk in flight are all that may be ahead of the reader.
            Assert.True(written < 100L << 20, $"the process wrote {written} bytes while the reader took {taken}");
        }
        finally
        {
            File.Delete(counter + ".data");
        }
    }

    [Fact]
    public async Task CappedReadStream_StopsAtTheLimit()
    {
        var source = new MemoryStream(new byte[10_000]);
        var capped = new CappedReadStream(source, 4096, limit => new InvalidOperationException($"over {limit}"));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => capped.CopyToAsync(Stream.Null));
        Assert.Equal("over 4096", e.Message);
    }
}
