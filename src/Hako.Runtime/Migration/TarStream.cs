using System.Diagnostics;
using System.Text;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Processes;

namespace Hako.Runtime.Migration;

/// <summary>
/// Streams a private area (or a template) as a tar archive with GNU tar, the tool vzmigrate's rsync would be
/// here: numeric owners (the container's shifted uids), modes, xattrs (trusted.overlay.* marks opaque
/// directories and redirects), overlay whiteouts (character devices 0:0), hard links and sparse files all
/// survive, in POSIX (PAX) format. A file list goes in on stdin, the archive comes out on stdout.
/// </summary>
public sealed class TarStream : IAsyncDisposable
{
    private static readonly string[] Common =
        ["--numeric-owner", "--xattrs", "--xattrs-include=*", "--format=posix", "--null"];

    private readonly Process _tar;
    private readonly Task<string> _stderr;
    private readonly Task _feed;
    private readonly bool _live;

    private TarStream(Process tar, Task feed, bool live)
    {
        _tar = tar;
        _feed = feed;
        _live = live;
        _stderr = tar.StandardError.ReadToEndAsync();
    }

    /// <summary>The archive, to be read to the end (e.g. as an HTTP request body).</summary>
    public Stream Output => _tar.StandardOutput.BaseStream;

    /// <summary>
    /// Starts archiving <paramref name="paths"/> (relative to <paramref name="root"/>). Without
    /// <paramref name="recursive"/> each directory entry carries only its own metadata, so a pass sends
    /// exactly the entries it lists. <paramref name="live"/>: the tree is being written while read
    /// (a pass before the freeze), so a file that vanished or changed meanwhile is not an error: the next
    /// pass's scan sees it again.
    /// </summary>
    public static TarStream Create(string root, IReadOnlyList<string> paths, bool recursive, bool live)
    {
        var args = new List<string> { "--create", "--file=-", "--directory=" + root, "--sparse" };
        args.AddRange(Common);
        if (!recursive)
        {
            args.Add("--no-recursion");
        }

        if (live)
        {
            args.AddRange(["--ignore-failed-read", "--warning=no-file-changed", "--warning=no-file-removed", "--warning=no-file-shrank"]);
        }

        args.Add("--files-from=-");
        var tar = Start(args, stdout: true);
        var feed = Task.Run(async () =>
        {
            try
            {
                var list = new StringBuilder();
                foreach (var p in paths)
                {
                    list.Append(p).Append('\0');
                }

                await tar.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(list.ToString()));
            }
            catch (IOException)
            {
                // tar died early; its exit code and stderr tell why.
            }
            finally
            {
                tar.StandardInput.Close();
            }
        });
        return new TarStream(tar, feed, live);
    }

    /// <summary>Waits for tar to finish after <see cref="Output"/> was read; throws with tar's own words if it failed.</summary>
    public async Task CompleteAsync(CancellationToken ct = default)
    {
        await _feed;
        await _tar.WaitForExitAsync(ct);
        var stderr = await _stderr;
        // Exit 1 = "some files differ": a file changed while being read, expected in a live pass.
        if (_tar.ExitCode != 0 && !(_live && _tar.ExitCode == 1))
        {
            throw new HakoException(ErrorCode.Internal, $"tar could not read the files to send (exit {_tar.ExitCode}): {Tail(stderr)}");
        }
    }

    /// <summary>
    /// Extracts an archive read from <paramref name="input"/> into <paramref name="root"/> as root: owners,
    /// modes, xattrs and devices as they were sent. Returns the bytes read. Out of space is InsufficientResources.
    /// </summary>
    public static async Task<long> ExtractAsync(Stream input, string root, CancellationToken ct = default)
    {
        List<string> args = ["--extract", "--file=-", "--directory=" + root, "--same-owner", "--preserve-permissions", .. Common];
        using var tar = Start(args, stdout: false);
        var stderr = tar.StandardError.ReadToEndAsync(ct);
        long bytes = 0;
        var buffer = new byte[1 << 20];
        try
        {
            int n;
            while ((n = await input.ReadAsync(buffer, ct)) > 0)
            {
                await tar.StandardInput.BaseStream.WriteAsync(buffer.AsMemory(0, n), ct);
                bytes += n;
            }

            tar.StandardInput.Close();
        }
        catch (IOException) when (tar.HasExited || !tar.StandardInput.BaseStream.CanWrite)
        {
            // tar stopped reading (out of space, bad archive): its stderr says why, below.
        }
        catch
        {
            tar.Kill();
            throw;
        }

        await tar.WaitForExitAsync(ct);
        var error = await stderr;
        if (tar.ExitCode != 0)
        {
            // tar reports a full disk either as ENOSPC or as a short write ("Wrote only 512 of 10240 bytes").
            var full = error.Contains("No space left on device", StringComparison.Ordinal) || Linux.Interop.Statvfs.Get(root).AvailableBytes < (4L << 20);
            throw new HakoException(full ? ErrorCode.InsufficientResources : ErrorCode.Internal,
                $"Extracting into {root} failed (tar exit {tar.ExitCode}){(full ? ": the disk is full" : "")}: {Tail(error)}");
        }

        return bytes;
    }

    private static Process Start(List<string> args, bool stdout)
    {
        var psi = ProcessRunner.StartInfo("tar", args);
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = stdout;
        psi.RedirectStandardError = true;

        return Process.Start(psi) ?? throw new HakoException(ErrorCode.Internal, "Could not start tar");
    }

    private static string Tail(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : string.Join(" | ", lines.TakeLast(3));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_tar.HasExited)
        {
            try
            {
                _tar.Kill();
            }
            catch (InvalidOperationException)
            {
            }

            await _tar.WaitForExitAsync();
        }

        await _feed;
        _tar.Dispose();
    }
}
