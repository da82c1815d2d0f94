using System.Text;

namespace Hako.Linux.Processes;

/// <summary>One output stream held within a limit: its head, a ring of its tail, and the count of all bytes.</summary>
internal sealed class CappedOutput(int keepHead, int keepTail)
{
    private readonly MemoryStream _head = new();
    private readonly byte[] _tail = new byte[keepTail];
    private int _tailStart;
    private int _tailLength;

    public long Total { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        Total += data.Length;
        var toHead = (int)Math.Min(data.Length, keepHead - _head.Length);
        if (toHead > 0)
        {
            _head.Write(data[..toHead]);
            data = data[toHead..];
        }

        if (_tail.Length == 0 || data.IsEmpty)
        {
            return;
        }

        if (data.Length >= _tail.Length)
        {
            data[^_tail.Length..].CopyTo(_tail);
            _tailStart = 0;
            _tailLength = _tail.Length;
            return;
        }

        foreach (var b in data)
        {
            var end = (_tailStart + _tailLength) % _tail.Length;
            _tail[end] = b;
            if (_tailLength < _tail.Length)
            {
                _tailLength++;
            }
            else
            {
                _tailStart = (_tailStart + 1) % _tail.Length;
            }
        }
    }

    /// <summary>The kept text; when bytes were dropped, a marker in the middle says how many.</summary>
    public override string ToString()
    {
        var head = Encoding.UTF8.GetString(_head.GetBuffer(), 0, (int)_head.Length);
        var omitted = Total - _head.Length - _tailLength;
        if (_tailLength == 0)
        {
            return omitted > 0 ? head + $"\n[... {omitted} more bytes not kept ...]\n" : head;
        }

        var tail = new byte[_tailLength];
        for (var i = 0; i < _tailLength; i++)
        {
            tail[i] = _tail[(_tailStart + i) % _tail.Length];
        }

        return head + (omitted > 0 ? $"\n[... {omitted} bytes not kept ...]\n" : "") + Encoding.UTF8.GetString(tail);
    }
}
