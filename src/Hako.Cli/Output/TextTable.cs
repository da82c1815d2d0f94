using System.Text;

namespace Hako.Cli.Output;

/// <summary>
/// Plain aligned columns like vzlist: no box drawing, so output greps and pastes cleanly, and no
/// rendering library is loaded on the hot path of `hako list`.
/// </summary>
internal sealed class TextTable
{
    private const string Gap = "  ";
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TextTable(params string[] headers)
    {
        _headers = headers;
    }

    public int RowCount => _rows.Count;

    public void AddRow(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"Row has {cells.Length} cells; the table has {_headers.Length} columns", nameof(cells));
        }

        _rows.Add(cells);
    }

    public string Render()
    {
        var widths = new int[_headers.Length];
        for (var i = 0; i < _headers.Length; i++)
        {
            widths[i] = _headers[i].Length;
        }

        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder((_rows.Count + 1) * 80);
        AppendLine(text, _headers, widths);
        foreach (var row in _rows)
        {
            AppendLine(text, row, widths);
        }

        return text.ToString();
    }

    private static void AppendLine(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i == cells.Length - 1)
            {
                text.Append(cells[i]);
            }
            else
            {
                text.Append(cells[i]).Append(' ', widths[i] - cells[i].Length).Append(Gap);
            }
        }

        text.Append('\n');
    }
}

/// <summary>"Label:  value" lines with the values lined up, for `show` commands.</summary>
internal sealed class KeyValueGrid
{
    private readonly List<(string Key, string Value)> _rows = [];

    public KeyValueGrid Add(string key, string value)
    {
        _rows.Add((key, value));
        return this;
    }

    public string Render()
    {
        var width = 0;
        foreach (var (key, _) in _rows)
        {
            width = Math.Max(width, key.Length + 1);
        }

        var text = new StringBuilder(_rows.Count * 48);
        foreach (var (key, value) in _rows)
        {
            text.Append(key).Append(':').Append(' ', width - key.Length - 1 + 2).Append(value).Append('\n');
        }

        return text.ToString();
    }
}
