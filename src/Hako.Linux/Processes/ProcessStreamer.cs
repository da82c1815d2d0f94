using System.Diagnostics;
using System.Text;

namespace Hako.Linux.Processes;

/// <summary>
/// Runs a process and hands its stdout and stderr, chunk by chunk, to a writer (e.g. an HTTP response) as
/// they come. Each stream is read again only after its last chunk was written, so a slow reader slows the
/// process down (the pipe fills, the process blocks) instead of making hakod buffer: memory stays at two
/// chunk buffers whatever the process prints.
/// </summary>
public static class ProcessStreamer
{
    public const int ChunkSize = 64 << 10;

    /// <summary>After the process exited, how long its pipes may stay open (held by a child it left behind).</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs <paramref name="psi"/> (stdin, stdout, stderr are redirected here), writes <paramref name="stdin"/>,
    /// streams output to <paramref name="write"/> (1 = stdout, 2 = stderr; calls never overlap) and returns the
    /// exit code. Cancelling (the client went away) or a failing write kills the process tree.
    /// </summary>
    public static async Task<int> RunAsync(ProcessStartInfo psi, string? stdin,
        Func<int, ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken ct)
    {
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var p = ProcessRunner.Start(psi);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writeLock = new SemaphoreSlim(1, 1);
        var writing = 0;
        var lastProgress = Environment.TickCount64;
        async Task Pump(Stream source, int fd)
        {
            var buffer = new byte[ChunkSize];
            int n;
            while ((n = await source.ReadAsync(buffer, cts.Token)) > 0)
            {
                Interlocked.Increment(ref writing);
                await writeLock.WaitAsync(cts.Token);
                try
                {
                    await write(fd, buffer.AsMemory(0, n), cts.Token);
                }
                finally
                {
                    writeLock.Release();
                    Interlocked.Decrement(ref writing);
                    Volatile.Write(ref lastProgress, Environment.TickCount64);
                }
            }
        }

        var pumps = Task.WhenAll(Pump(p.StandardOutput.BaseStream, 1), Pump(p.StandardError.BaseStream, 2));
        var feed = Task.Run(async () =>
        {
            try
            {
                if (!string.IsNullOrEmpty(stdin))
                {
                    await p.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(stdin), cts.Token);
                }

                p.StandardInput.Close();
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The command stopped reading its input; its exit says the rest.
            }
        }, CancellationToken.None);

        try
        {
            // A pump fails (the writer failed, the client went away) or both reach the end of their pipes.
            await Task.WhenAny(pumps, p.WaitForExitAsync(cts.Token));
            if (pumps.IsFaulted || pumps.IsCanceled)
            {
                await pumps;
            }

            await p.WaitForExitAsync(cts.Token);
            Volatile.Write(ref lastProgress, Environment.TickCount64);
            // Exited: what is left in the pipes still goes out, at the reader's pace. Only pipes that stay open
            // and silent (a child it left behind holds them) are given up on after the grace time.
            while (!pumps.IsCompleted)
            {
                if (Volatile.Read(ref writing) == 0 && Environment.TickCount64 - Volatile.Read(ref lastProgress) > DrainGrace.TotalMilliseconds)
                {
                    break;
                }

                await Task.WhenAny(pumps, Task.Delay(100, cts.Token));
            }

            if (pumps.IsFaulted || pumps.IsCanceled)
            {
                await pumps;
            }

            return p.ExitCode;
        }
        finally
        {
            if (!p.HasExited || !pumps.IsCompleted)
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            }

            await cts.CancelAsync();
            await Task.WhenAny(Task.WhenAll(pumps, feed), Task.Delay(DrainGrace, CancellationToken.None));
            // Observe the pumps' cancellation so it is not reported as unobserved.
            _ = pumps.Exception;
        }
    }
}
