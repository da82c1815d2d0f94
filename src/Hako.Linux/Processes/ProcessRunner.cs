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
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args,
        string? stdin = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

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

                throw new HakoException(ErrorCode.Internal, $"{file} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout}");
            }

            return new ProcessResult(p.ExitCode, await stdoutTask, await stderrTask);
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
