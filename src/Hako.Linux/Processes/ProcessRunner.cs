using System.Diagnostics;
using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Linux.Processes;

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;
}

/// <summary>
/// Runs the standard Linux tools (lxc-*, ip, mount, mkfs.ext4...). Arguments are always a list,
/// never a shell string, and managed code never runs in a forked child. Output is held within an
/// <see cref="OutputLimit"/> (the node's tools by default; <see cref="OutputLimit.Guest"/> for anything a
/// tenant controls), so no process can make hakod's memory grow without bound.
/// </summary>
public static class ProcessRunner
{
    /// <summary>How long to wait for the pipes to close after the process exited (a child it left may hold them).</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The umask every started tool gets, or null to inherit the caller's. hakod itself runs with umask 077 so
    /// that nothing it creates is readable by other host accounts; the tools it starts build customers' files or
    /// run customers' processes (lxc-start, lxc-attach, tar, debootstrap), which must see the usual 022.
    /// </summary>
    public static int? ChildUmask { get; set; }

    /// <summary>
    /// How every tool is started (also for callers that stream its stdio themselves): the file and its
    /// arguments as a list; with <see cref="ChildUmask"/> set, through <c>/bin/sh -c 'umask 022 &amp;&amp; exec "$0" "$@"'</c>,
    /// a fixed script that never interprets the arguments.
    /// </summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args)
    {
        ProcessStartInfo psi;
        if (ChildUmask is { } mask)
        {
            psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"umask {Convert.ToString(mask, 8).PadLeft(3, '0')} && exec \"$0\" \"$@\"");
            psi.ArgumentList.Add(file);
        }
        else
        {
            psi = new ProcessStartInfo(file) { UseShellExecute = false };
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args,
        string? stdin = null, TimeSpan? timeout = null, CancellationToken ct = default, OutputLimit? limit = null)
    {
        limit ??= OutputLimit.Tool;
        var argList = args as IReadOnlyList<string> ?? args.ToList();
        var psi = StartInfo(file, argList);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = stdin is not null;

        var p = Start(psi);
        using (p)
        {
            var stdout = new CappedOutput(limit.KeepHead, limit.KeepTail);
            var stderr = new CappedOutput(limit.KeepHead, limit.KeepTail);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (timeout is { } t)
            {
                cts.CancelAfter(t);
            }

            var overLimit = false;
            var gate = new Lock();
            void Append(CappedOutput target, ReadOnlySpan<byte> data)
            {
                lock (gate)
                {
                    target.Append(data);
                    if (!overLimit && stdout.Total + stderr.Total > limit.KillAfter)
                    {
                        overLimit = true;
                        cts.Cancel();
                    }
                }
            }

            using var readers = new CancellationTokenSource();
            var stdoutTask = PumpAsync(p.StandardOutput.BaseStream, d => Append(stdout, d), readers.Token);
            var stderrTask = PumpAsync(p.StandardError.BaseStream, d => Append(stderr, d), readers.Token);
            if (stdin is not null)
            {
                try
                {
                    await p.StandardInput.WriteAsync(stdin.AsMemory(), cts.Token);
                    p.StandardInput.Close();
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    // The process stopped reading (exited or killed below): its exit tells the rest.
                }
            }

            try
            {
                await p.WaitForExitAsync(cts.Token);
                // Exited: the output is complete once the pipes close, unless a child it left behind holds them.
                await Task.WhenAll(stdoutTask, stderrTask).WaitAsync(DrainGrace, cts.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                // Cancelled, timed out or over the output limit: never leave the tool running
                // (e.g. debootstrap writing into a dir being deleted, a tenant's endless binary).
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await readers.CancelAsync();
                await Task.WhenAny(Task.WhenAll(stdoutTask, stderrTask), Task.Delay(DrainGrace, CancellationToken.None));
                if (ct.IsCancellationRequested)
                {
                    throw;
                }

                var command = $"{file} {string.Join(' ', argList)}";
                ProcessResult partial;
                lock (gate)
                {
                    partial = new ProcessResult(-1, stdout.ToString(), stderr.ToString());
                }

                if (overLimit)
                {
                    throw new ProcessLimitException(
                        $"{command} printed more than {Core.Units.Size.Format(limit.KillAfter)} and was stopped", timedOut: false, partial);
                }

                if (e is TimeoutException)
                {
                    // Exited, but something it started still holds its output open: what arrived is the output.
                    return new ProcessResult(p.ExitCode, partial.Stdout, partial.Stderr);
                }

                throw new ProcessLimitException($"{command} did not finish within {timeout} and was stopped", timedOut: true, partial);
            }

            lock (gate)
            {
                var errors = stderr.ToString();
                // Through the umask wrapper a missing tool is the shell's exit 127, not a failed exec.
                if (ChildUmask is not null && p.ExitCode == 127 && errors.Contains($"{file}: not found", StringComparison.Ordinal))
                {
                    throw new HakoException(ErrorCode.Unsupported,
                        $"'{file}' could not be run (not found); is its package installed? ./run.sh installs what Hako needs");
                }

                return new ProcessResult(p.ExitCode, stdout.ToString(), errors);
            }
        }
    }

    /// <summary>Starts a process; a missing tool is Unsupported with the hint to install it.</summary>
    public static Process Start(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi) ?? throw new HakoException(ErrorCode.Internal, $"Could not start {psi.FileName}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HakoException(ErrorCode.Unsupported,
                $"'{psi.FileName}' could not be run ({e.Message}); is its package installed? ./run.sh installs what Hako needs", e);
        }
    }

    private static async Task PumpAsync(Stream source, Action<ReadOnlySpan<byte>> sink, CancellationToken ct)
    {
        var buffer = new byte[64 << 10];
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer, ct)) > 0)
            {
                sink(buffer.AsSpan(0, n));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Stopped on purpose (limit, timeout) or the pipe went away with the process.
        }
    }

    /// <summary>Runs a tool and throws with its stderr when it fails.</summary>
    public static async Task<string> CheckAsync(string file, IEnumerable<string> args,
        string? stdin = null, TimeSpan? timeout = null, CancellationToken ct = default, OutputLimit? limit = null)
    {
        var list = args as IReadOnlyList<string> ?? args.ToList();
        var r = await RunAsync(file, list, stdin, timeout, ct, limit);
        if (!r.Ok)
        {
            throw new HakoException(ErrorCode.Internal,
                $"{file} {string.Join(' ', list)} failed (exit {r.ExitCode}): {r.Stderr.Trim()}{(string.IsNullOrWhiteSpace(r.Stderr) ? r.Stdout.Trim() : "")}");
        }

        return r.Stdout;
    }
}
