namespace Hako.Core.Usage;

/// <summary>
/// What hakod records about each container (and the node) at every sample. The order is the
/// column order of the usage tables and of <see cref="UsageSample.Values"/>; append new metrics at
/// the end (a schema step adds the column), never reorder.
/// </summary>
public enum UsageMetric
{
    Cpu,
    Memory,
    Swap,
    PageCache,
    DiskUsed,
    InodesUsed,
    IoReadBytes,
    IoWriteBytes,
    IoReadOps,
    IoWriteOps,
    NetRxBytes,
    NetTxBytes,
    NetRxPackets,
    NetTxPackets,
    Processes,
    OomKills,
    LimitHits,
    Load1,
}

/// <summary>
/// A counter only grows (CPU time, bytes moved; shown as a rate per second); a gauge is a level
/// (memory in use; shown as is).
/// </summary>
public enum MetricKind
{
    Counter,
    Gauge,
}

/// <summary>Everything known about one metric: how it is stored, shown and exported.</summary>
/// <param name="Name">The API and CLI name ("cpu", "io_read_bytes").</param>
/// <param name="Column">Its column in the usage tables.</param>
/// <param name="Resource">The group `hako stats --resource` selects: cpu, memory, disk, io, net, processes, events, load.</param>
/// <param name="Unit">The unit of a shown value: for counters the rate ("cores", "B/s"), for gauges the level ("B").</param>
/// <param name="Scale">Stored value = measured value × Scale for gauges (load1 is stored in thousandths).
/// Counters divide by it to get the shown rate (CPU ns → cores: 1e9).</param>
/// <param name="Prometheus">The exported series name, without the hako_container_/hako_node_ prefix.</param>
/// <param name="Help">One line for the Prometheus HELP text and the docs.</param>
public sealed record MetricInfo(
    UsageMetric Metric, string Name, string Column, MetricKind Kind, string Resource, string Unit, double Scale,
    string Prometheus, string Help);

/// <summary>The metric catalogue: one line per metric, read by the store, the sampler, the API, /metrics and the CLI.</summary>
public static class UsageMetrics
{
    public static readonly IReadOnlyList<MetricInfo> All =
    [
        new(UsageMetric.Cpu, "cpu", "cpu_ns", MetricKind.Counter, "cpu", "cores", 1e9, "cpu_seconds_total", "CPU time used, in seconds"),
        new(UsageMetric.Memory, "memory", "memory", MetricKind.Gauge, "memory", "B", 1, "memory_bytes", "Memory in use without reclaimable page cache (working set), in bytes"),
        new(UsageMetric.Swap, "swap", "swap", MetricKind.Gauge, "memory", "B", 1, "swap_bytes", "Swap in use, in bytes"),
        new(UsageMetric.PageCache, "page_cache", "cache", MetricKind.Gauge, "memory", "B", 1, "page_cache_bytes", "Page cache charged, in bytes"),
        new(UsageMetric.DiskUsed, "disk", "disk", MetricKind.Gauge, "disk", "B", 1, "disk_used_bytes", "Disk space used in the private area, in bytes"),
        new(UsageMetric.InodesUsed, "inodes", "inodes", MetricKind.Gauge, "disk", "", 1, "inodes_used", "Inodes used in the private area"),
        new(UsageMetric.IoReadBytes, "io_read_bytes", "io_rb", MetricKind.Counter, "io", "B/s", 1, "io_read_bytes_total", "Bytes read from block devices"),
        new(UsageMetric.IoWriteBytes, "io_write_bytes", "io_wb", MetricKind.Counter, "io", "B/s", 1, "io_written_bytes_total", "Bytes written to block devices"),
        new(UsageMetric.IoReadOps, "io_read_ops", "io_ro", MetricKind.Counter, "io", "ops/s", 1, "io_reads_total", "Read operations on block devices"),
        new(UsageMetric.IoWriteOps, "io_write_ops", "io_wo", MetricKind.Counter, "io", "ops/s", 1, "io_writes_total", "Write operations on block devices"),
        new(UsageMetric.NetRxBytes, "net_rx_bytes", "net_rb", MetricKind.Counter, "net", "B/s", 1, "network_receive_bytes_total", "Bytes received by the container's network interface"),
        new(UsageMetric.NetTxBytes, "net_tx_bytes", "net_tb", MetricKind.Counter, "net", "B/s", 1, "network_transmit_bytes_total", "Bytes sent by the container's network interface"),
        new(UsageMetric.NetRxPackets, "net_rx_packets", "net_rp", MetricKind.Counter, "net", "pkt/s", 1, "network_receive_packets_total", "Packets received"),
        new(UsageMetric.NetTxPackets, "net_tx_packets", "net_tp", MetricKind.Counter, "net", "pkt/s", 1, "network_transmit_packets_total", "Packets sent"),
        new(UsageMetric.Processes, "processes", "procs", MetricKind.Gauge, "processes", "", 1, "processes", "Processes (tasks) in the container"),
        new(UsageMetric.OomKills, "oom_kills", "oom", MetricKind.Counter, "events", "/s", 1, "oom_kills_total", "Processes killed by the OOM killer"),
        new(UsageMetric.LimitHits, "limit_hits", "hits", MetricKind.Counter, "events", "/s", 1, "limit_hits_total", "Times a limit refused an allocation (memory failcnt, pids.max)"),
        new(UsageMetric.Load1, "load1", "load1", MetricKind.Gauge, "load", "", 1000, "load1", "Load average over 1 minute (node only)"),
    ];

    /// <summary>The resource groups in display order.</summary>
    public static readonly IReadOnlyList<string> Resources = ["cpu", "memory", "disk", "io", "net", "processes", "events", "load"];

    public static int Count => All.Count;

    public static MetricInfo Info(UsageMetric metric) => All[(int)metric];

    public static MetricInfo? Find(string name) => All.FirstOrDefault(m => m.Name == name);
}
