using System.IO.Pipelines;
using Hako.Linux.Files;

namespace Hako.Runtime.Archives;

/// <summary>
/// A <see cref="TreeArchive"/> being written on a background task into an in-process pipe, read as
/// <see cref="Output"/> (e.g. an HTTP request body). At most a few MB are in flight: the writer waits for the reader.
/// </summary>
public sealed class PackStream : IAsyncDisposable
{
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, minimumSegmentSize: 128 << 10));
    private readonly CancellationTokenSource _cancel = new();
    private readonly Task<PackResult> _pack;

    private PackStream(string root, IReadOnlyList<string>? paths, bool live)
    {
        Output = _pipe.Reader.AsStream();
        _pack = Task.Run(async () =>
        {
            try
            {
                using var rooted = RootedDirectory.Open(root);
                await using var sink = _pipe.Writer.AsStream(leaveOpen: true);
                var result = paths is null
                    ? await TreeArchive.PackTreeAsync(rooted, sink, _cancel.Token)
                    : await TreeArchive.PackAsync(rooted, paths, sink, live, _cancel.Token);
                await _pipe.Writer.CompleteAsync();
                return result;
            }
            catch (Exception e)
            {
                await _pipe.Writer.CompleteAsync(e); // the reader sees the same error
                throw;
            }
        });
    }

    /// <summary>The archive, to be read to the end.</summary>
    public Stream Output { get; }

    /// <summary>Packs <paramref name="paths"/> below <paramref name="root"/>; see <see cref="TreeArchive.PackAsync"/>.</summary>
    public static PackStream Start(string root, IReadOnlyList<string> paths, bool live) => new(root, paths, live);

    /// <summary>Packs the whole tree below <paramref name="root"/>.</summary>
    public static PackStream StartTree(string root) => new(root, null, live: false);

    /// <summary>Waits for the writer after <see cref="Output"/> was read; throws the packing error, if any.</summary>
    public Task<PackResult> CompleteAsync() => _pack;

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        await _pipe.Reader.CompleteAsync();
        try
        {
            await _pack;
        }
        catch (Exception)
        {
            // Reported by CompleteAsync to whoever waited for it.
        }

        _cancel.Dispose();
    }
}
