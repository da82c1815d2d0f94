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
/// never a shell string, and managed code never runs in a forked child.
/// </summary>
public static class ProcessRunner
{
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
        string? stdin = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var argList = args as IReadOnlyList<string> ?? args.ToList();
        var psi = StartInfo(file, argList);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = stdin is not null;

        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new HakoException(ErrorCode.Internal, $"Could not start {file}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HakoException(ErrorCode.Unsupported,
                $"'{file}' could not be run ({e.Message}); is its package installed? ./run.sh installs what Hako needs", e);
        }

        using (p)
        {
            var stdoutTask = p.StandardOutput.ReadToEndAsync(ct);
            var stderrTask = p.StandardError.ReadToEndAsync(ct);
            if (stdin is not null)
            {
                await p.StandardInput.WriteAsync(stdin);
                p.StandardInput.Close();
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (timeout is { } t)
            {
                cts.CancelAfter(t);
            }

            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // Cancelled or timed out: never leave the tool running (e.g. debootstrap writing into a dir being deleted).
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                if (ct.IsCancellationRequested)
                {
                    throw;
                }

                throw new HakoException(ErrorCode.Internal, $"{file} {string.Join(' ', argList)} did not finish within {timeout}");
            }

            var stderr = await stderrTask;
            if (ChildUmask is not null && p.ExitCode == 127 && stderr.Contains($"{file}: not found", StringComparison.Ordinal))
            {
                throw new HakoException(ErrorCode.Unsupported,
                    $"'{file}' could not be run (not found); is its package installed? ./run.sh installs what Hako needs");
            }

            return new ProcessResult(p.ExitCode, await stdoutTask, stderr);
        }
    }

    /// <summary>Runs a tool and throws with its stderr when it fails.</summary>
    public static async Task<string> CheckAsync(string file, IEnumerable<string> args,
        string? stdin = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var list = args as IReadOnlyList<string> ?? args.ToList();
        var r = await RunAsync(file, list, stdin, timeout, ct);
        if (!r.Ok)
        {
            throw new HakoException(ErrorCode.Internal,
                $"{file} {string.Join(' ', list)} failed (exit {r.ExitCode}): {r.Stderr.Trim()}{(string.IsNullOrWhiteSpace(r.Stderr) ? r.Stdout.Trim() : "")}");
        }

        return r.Stdout;
    }
}
