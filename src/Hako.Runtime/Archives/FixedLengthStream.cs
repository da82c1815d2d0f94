namespace Hako.Runtime.Archives;

/// <summary>
/// Exactly <see cref="Length"/> bytes of a file that may be written while it is read (a live migration pass):
/// cut at the length announced in the tar header, padded with zeros when the file shrank, as GNU tar does. The
/// next pass sends the file again, since its ctime moved.
/// </summary>
internal sealed class FixedLengthStream(Stream inner, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        var n = inner.Read(buffer[..want]);
        if (n == 0)
        {
            buffer[..want].Clear(); // the file shrank: zeros up to the announced size
            n = want;
        }

        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        var n = await inner.ReadAsync(buffer[..want], cancellationToken);
        if (n == 0)
        {
            buffer.Span[..want].Clear();
            n = want;
        }

        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        if (target < 0 || target > length)
        {
            throw new IOException($"Seek to {target} outside 0..{length}");
        }

        inner.Position = target;
        _position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
