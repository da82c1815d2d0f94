using System.Globalization;
using System.Text;
using Hako.Contracts;

namespace Hako.Cli.Output;

/// <summary>Text for hako migrate (the report), hako node list (peers) and hako node evacuate (the summary).</summary>
internal static class MigrationViews
{
    public static string RenderReport(MigrationInfo m)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Container {m.Container} migrated from {m.Source} to {m.Target} ({m.Mode})\n");
        sb.Append(CultureInfo.InvariantCulture, $"  passes:     {m.Passes.Count} ({string.Join(", ", m.Passes.Select(p => $"{p.Number}{(p.Live ? "" : " frozen")}: {Sizes.Format(p.Bytes)}"))})\n");
        var data = m.BytesSent - m.TemplateBytes;
        var share = m.ContainerBytes > 0 ? $" ({data * 100.0 / m.ContainerBytes:0}% of the container's own {Sizes.Format(m.ContainerBytes)})" : "";
        sb.Append(CultureInfo.InvariantCulture, $"  sent:       {Sizes.Format(data)} of container data{share}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  template:   {(m.TemplateSent ? $"sent ({Sizes.Format(m.TemplateBytes)})" : "already on the target, not sent")}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  downtime:   {(m.DowntimeMilliseconds is { } d ? $"{d:0} ms (freeze to running on {m.Target})" : "none (the container was stopped)")}\n");
        if (m.DurationMilliseconds is { } total)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  total time: {total / 1000:0.0} s\n");
        }

        if (m.Ip is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  address:    {m.Ip}\n");
        }

        foreach (var note in m.Notes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  note:       {note}\n");
        }

        return sb.ToString();
    }

    public static string RenderNodes(IEnumerable<PeerNodeInfo> nodes)
    {
        var table = new TextTable("NAME", "URL", "STATE", "CONTAINERS", "VERSION", "ERROR");
        foreach (var n in nodes)
        {
            table.AddRow(n.Name, n.Url, n.State, n.Containers?.ToString(CultureInfo.InvariantCulture) ?? "-", n.Version ?? "-", n.Error ?? "");
        }

        return table.Render();
    }

    public static string RenderEvacuation(EvacuationInfo e)
    {
        var table = new TextTable("CONTAINER", "STATUS", "TARGET", "DOWNTIME", "SENT", "ERROR");
        foreach (var c in e.Containers)
        {
            table.AddRow(c.Container, c.Status, c.Target ?? "-",
                c.DowntimeMilliseconds is { } d ? d.ToString("0", CultureInfo.InvariantCulture) + " ms" : "-",
                c.BytesSent > 0 ? Sizes.Format(c.BytesSent) : "-", c.Error ?? "");
        }

        return table.Render() + $"Node {e.Node}: {e.Moved} moved, {e.Failed} stayed. It takes no new containers until: hako node restore\n";
    }
}
