using System.Text.Json;
using Hako.Core.Errors;
using Hako.Core.Network;

namespace Hako.Daemon.Options;

/// <summary>hakod's settings: defaults, then the optional JSON config file, then command-line flags.</summary>
public sealed class HakodOptions
{
    public string DataDir { get; set; } = "/var/lib/hako";
    public string Socket { get; set; } = "/run/hako/hako.sock";
    /// <summary>Optional TCP endpoint, e.g. 0.0.0.0:8443; HTTPS with the node's self-signed certificate, and the bearer token in DataDir/api.token.</summary>
    public string? Listen { get; set; }
    /// <summary>Serve --listen as plain HTTP: only on a loopback address (127.0.0.1, ::1), e.g. behind a local TLS proxy.</summary>
    public bool InsecureHttp { get; set; }
    public string Bridge { get; set; } = "hakobr0";
    public string Subnet { get; set; } = "10.77.0.0/24";
    public string NodeName { get; set; } = Environment.MachineName;
    public string? ConfigFile { get; set; }
    /// <summary>NAT to the outside for the containers' subnet: off unless the operator asks for it.</summary>
    public bool Nat { get; set; }
    /// <summary>Host uid of container root for unprivileged containers (range of 65536 from here).</summary>
    public int UidBase { get; set; } = 100000;
    public bool Lxcfs { get; set; } = true;
    /// <summary>Per-port nftables filter on the bridge: a container sends only from its own MAC and IPv4 address. Off only for operators who filter elsewhere.</summary>
    public bool AntiSpoof { get; set; } = true;
    /// <summary>Privileged containers (container root = host root) may be created or migrated in: off unless the operator asks.</summary>
    public bool AllowPrivileged { get; set; }
    /// <summary>Containers without a disk quota (a plain directory on the host filesystem): off unless the operator asks.</summary>
    public bool AllowUnlimitedDisk { get; set; }
    /// <summary>The largest template (unpacked) this node imports or receives from a peer.</summary>
    public string MaxTemplateSize { get; set; } = "8G";

    [System.Text.Json.Serialization.JsonIgnore]
    public long MaxTemplateSizeBytes => Core.Units.Size.TryParse(MaxTemplateSize, out var b) && b is { } v ? v : 8L << 30;
    /// <summary>Kept for the host and never promised to containers (admission).</summary>
    public string ReserveMemory { get; set; } = "1G";
    public double ReserveCpus { get; set; }
    public string ReserveDisk { get; set; } = "5G";
    /// <summary>Σ limits of best-effort containers may reach ratio × (capacity − reserve); ∞ = not checked.</summary>
    public double OvercommitMemory { get; set; } = 2.0;
    /// <summary>CPU time is shared by weight (cpuunits), so CPU limits are not checked unless the operator sets a ratio.</summary>
    public double OvercommitCpu { get; set; } = double.PositiveInfinity;
    /// <summary>Private areas are sparse images: disk quotas are thin-provisioned up to this ratio.</summary>
    public double OvercommitDisk { get; set; } = 4.0;
    /// <summary>Seconds between polls of kernel counters for limit events.</summary>
    public int MonitorIntervalSeconds { get; set; } = 2;
    /// <summary>How often the usage sampler records every container and the node.</summary>
    public string SampleInterval { get; set; } = "10s";
    /// <summary>How long raw samples are kept before only their aggregates remain.</summary>
    public string HistoryRaw { get; set; } = "24h";
    /// <summary>The length of an aggregate bucket (mean, max, p95 of the samples in it).</summary>
    public string HistoryBucket { get; set; } = "5m";
    /// <summary>How long aggregates are kept.</summary>
    public string HistoryKeep { get; set; } = "30d";

    /// <summary>Target overload probability of best-effort admission and `hako capacity` (share of 5-minute buckets).</summary>
    public double CapacityEpsilon { get; set; } = 0.01;
    /// <summary>How much usage history the capacity planner reads.</summary>
    public string CapacityWindow { get; set; } = "30d";
    /// <summary>Below this much history, best-effort admission uses the overcommit ratios instead of the planner.</summary>
    public string CapacityMinHistory { get; set; } = "1d";

    public TimeSpan CapacityWindowSpan => Core.Units.Duration.Parse(CapacityWindow, "--capacity-window");
    public TimeSpan CapacityMinHistorySpan => Core.Units.Duration.Parse(CapacityMinHistory, "--capacity-min-history");

    public TimeSpan SampleIntervalSpan => Core.Units.Duration.Parse(SampleInterval, "--sample-interval");
    public TimeSpan HistoryRawSpan => Core.Units.Duration.Parse(HistoryRaw, "--history-raw");
    public TimeSpan HistoryBucketSpan => Core.Units.Duration.Parse(HistoryBucket, "--history-bucket");
    public TimeSpan HistoryKeepSpan => Core.Units.Duration.Parse(HistoryKeep, "--history-keep");
    public State.UsageRetention Retention => new(SampleIntervalSpan, HistoryRawSpan, HistoryBucketSpan, HistoryKeepSpan);

    /// <summary>
    /// How long a half-received incoming migration is kept after its last call from the source: past it, the
    /// target releases the row, name, address and private area (the source died or gave up without aborting).
    /// </summary>
    public string IncomingLease { get; set; } = "10m";

    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan IncomingLeaseSpan => Core.Units.Duration.TryParse(IncomingLease, out var d) ? d : TimeSpan.FromMinutes(10);

    /// <summary>How long events (hako events) are kept, e.g. 30d or 12h.</summary>
    public string EventsRetention { get; set; } = "30d";

    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan EventsRetentionTime => Core.Units.Duration.TryParse(EventsRetention, out var d) ? d : TimeSpan.FromDays(30);

    public const string Usage = """
        usage: hakod [--data-dir DIR] [--socket PATH] [--listen HOST:PORT [--insecure-http]] [--bridge NAME]
                     [--subnet CIDR] [--node-name NAME] [--config FILE] [--nat] [--no-lxcfs]
                     [--no-antispoof]
                     [--events-retention DURATION] [--allow-privileged] [--allow-unlimited-disk]
                     [--max-template-size SIZE]

          --data-dir DIR     state, templates and containers (default /var/lib/hako)
          --socket PATH      unix socket of the API, mode 0600 (default /run/hako/hako.sock)
          --listen HOST:PORT also serve the API over HTTPS (self-signed certificate in DATA-DIR/tls/, its
                             SHA-256 fingerprint printed at start and by `hako node`); clients need the
                             token in DATA-DIR/api.token and pin the fingerprint (hako remote add)
          --insecure-http    serve --listen as plain HTTP; only on 127.0.0.1/::1
          --bridge NAME      host bridge for containers (default hakobr0)
          --subnet CIDR      containers' IPv4 subnet; the first address is the gateway (default 10.77.0.0/24)
          --node-name NAME   this node's name (default: the host name)
          --config FILE      JSON file with the same settings (dataDir, socket, listen, insecureHttp, bridge, subnet,
                             nodeName, nat, antiSpoof, allowPrivileged, allowUnlimitedDisk, maxTemplateSize)
          --nat              masquerade the subnet to the outside (off by default)
          --no-antispoof     do not filter containers' source MAC/addresses on the bridge (on by default:
                             nftables table 'bridge hako-NODE'); for operators who filter elsewhere
          --allow-privileged take privileged containers (container root = host root) on create, set
                             and incoming migration (off by default: refused with PermissionDenied)
          --allow-unlimited-disk
                             take containers with --disk unlimited (a plain directory on the host
                             filesystem, no quota) (off by default: refused with PermissionDenied)
          --max-template-size SIZE
                             largest template (unpacked) this node imports or receives from a
                             peer during a migration (default 8G)
          --reserve-memory SIZE / --reserve-cpus N / --reserve-disk SIZE
                             kept for the host, never promised to containers (default 1G / 0 / 5G)
          --overcommit-memory R / --overcommit-cpu R / --overcommit-disk R
                             best-effort limits may add up to R x (capacity - reserve)
                             (default 2 / unchecked / 4; 'inf' = unchecked)
          --sample-interval D  how often usage is sampled (default 10s)
          --history-raw D      keep raw samples this long (default 24h)
          --history-bucket D   then keep aggregates (mean, max, p95) per bucket of D (default 5m)
          --history-keep D     for this long (default 30d)
          --capacity-epsilon E      accepted overload probability of best-effort admission and
                                    `hako capacity` (default 0.01 = 1% of 5-minute buckets)
          --capacity-window D       usage history the capacity planner reads (default 30d)
          --capacity-min-history D  below this much history, best-effort admission uses the
                                    overcommit ratios instead of the planner (default 1d)
          --events-retention DURATION
                             how long hako events are kept, e.g. 12h, 30d, 8w (default 30d)
          --incoming-lease D an incoming migration the source stopped driving is released after
                             D without a call from it (default 10m)
        """;

    /// <summary>Parses flags; the config file (if any) is applied first so flags win. Every problem is reported at once.</summary>
    public static HakodOptions Parse(string[] args)
    {
        var errors = new List<string>();
        var flags = new Dictionary<string, string?>();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            var eq = a.IndexOf('=', StringComparison.Ordinal);
            var key = eq > 0 ? a[..eq] : a;
            string? value = eq > 0 ? a[(eq + 1)..] : null;
            switch (key)
            {
                case "--nat" or "--no-lxcfs" or "--insecure-http" or "--no-antispoof" or "--allow-privileged" or "--allow-unlimited-disk" or "--help" or "-h":
                    flags[key] = "true";
                    break;
                case "--data-dir" or "--socket" or "--listen" or "--bridge" or "--subnet" or "--node-name" or "--config"
                    or "--reserve-memory" or "--reserve-cpus" or "--reserve-disk"
                    or "--overcommit-memory" or "--overcommit-cpu" or "--overcommit-disk"
                    or "--sample-interval" or "--history-raw" or "--history-bucket" or "--history-keep"
                    or "--capacity-epsilon" or "--capacity-window" or "--capacity-min-history" or "--events-retention"
                    or "--incoming-lease" or "--max-template-size":
                    if (value is null)
                    {
                        if (i + 1 >= args.Length)
                        {
                            errors.Add($"{key} needs a value");
                            break;
                        }

                        value = args[++i];
                    }

                    flags[key] = value;
                    break;
                default:
                    errors.Add($"unknown option '{a}'");
                    break;
            }
        }

        if (flags.ContainsKey("--help") || flags.ContainsKey("-h"))
        {
            throw new HelpRequestedException();
        }

        var o = new HakodOptions();
        var config = flags.GetValueOrDefault("--config") ?? (File.Exists("/etc/hako/hakod.json") ? "/etc/hako/hakod.json" : null);
        if (config is not null)
        {
            o.ConfigFile = config;
            try
            {
                var fromFile = JsonSerializer.Deserialize(File.ReadAllText(config), OptionsJsonContext.Default.HakodOptions);
                if (fromFile is not null)
                {
                    o = fromFile;
                    o.ConfigFile = config;
                }
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                errors.Add($"config file {config}: {e.Message}");
            }
        }

        void Set(string flag, Action<string> apply)
        {
            if (flags.TryGetValue(flag, out var v) && v is not null)
            {
                apply(v);
            }
        }

        Set("--data-dir", v => o.DataDir = v);
        Set("--socket", v => o.Socket = v);
        Set("--listen", v => o.Listen = v);
        Set("--bridge", v => o.Bridge = v);
        Set("--subnet", v => o.Subnet = v);
        Set("--node-name", v => o.NodeName = v);
        Set("--reserve-memory", v => o.ReserveMemory = v);
        Set("--reserve-disk", v => o.ReserveDisk = v);
        Set("--sample-interval", v => o.SampleInterval = v);
        Set("--history-raw", v => o.HistoryRaw = v);
        Set("--history-bucket", v => o.HistoryBucket = v);
        Set("--history-keep", v => o.HistoryKeep = v);
        Set("--capacity-window", v => o.CapacityWindow = v);
        Set("--capacity-min-history", v => o.CapacityMinHistory = v);
        Set("--events-retention", v => o.EventsRetention = v);
        Set("--incoming-lease", v => o.IncomingLease = v);
        Set("--max-template-size", v => o.MaxTemplateSize = v);
        void Number(string flag, Action<double> apply)
        {
            if (flags.TryGetValue(flag, out var v) && v is not null)
            {
                if (v is "inf" or "unlimited")
                {
                    apply(double.PositiveInfinity);
                }
                else if (double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && d >= 0)
                {
                    apply(d);
                }
                else
                {
                    errors.Add($"{flag} '{v}' is not a number; use e.g. 1.5 (or 'inf')");
                }
            }
        }

        Number("--reserve-cpus", v => o.ReserveCpus = v);
        Number("--overcommit-memory", v => o.OvercommitMemory = v);
        Number("--overcommit-cpu", v => o.OvercommitCpu = v);
        Number("--overcommit-disk", v => o.OvercommitDisk = v);
        Number("--capacity-epsilon", v => o.CapacityEpsilon = v);
        if (flags.ContainsKey("--nat"))
        {
            o.Nat = true;
        }

        if (flags.ContainsKey("--insecure-http"))
        {
            o.InsecureHttp = true;
        }

        if (flags.ContainsKey("--allow-privileged"))
        {
            o.AllowPrivileged = true;
        }

        if (flags.ContainsKey("--allow-unlimited-disk"))
        {
            o.AllowUnlimitedDisk = true;
        }

        if (flags.ContainsKey("--no-lxcfs"))
        {
            o.Lxcfs = false;
        }

        if (flags.ContainsKey("--no-antispoof"))
        {
            o.AntiSpoof = false;
        }

        errors.AddRange(o.Validate());
        if (errors.Count > 0)
        {
            throw new HakoException(Contracts.ErrorCode.InvalidArgument, "invalid hakod settings", errors);
        }

        return o;
    }

    public IEnumerable<string> Validate()
    {
        if (!Path.IsPathRooted(DataDir))
        {
            yield return $"--data-dir '{DataDir}' must be an absolute path";
        }

        if (!Path.IsPathRooted(Socket))
        {
            yield return $"--socket '{Socket}' must be an absolute path";
        }

        string? subnetError = null;
        try
        {
            Ipv4Subnet.Parse(Subnet);
        }
        catch (HakoException e)
        {
            subnetError = e.Message;
        }

        if (subnetError is not null)
        {
            yield return subnetError;
        }

        if (Bridge.Length is 0 or > 15 || Bridge.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_'))
        {
            yield return $"--bridge '{Bridge}' must be 1-15 letters, digits, '-' or '_' (a Linux interface name)";
        }

        if (Core.Validation.Names.CheckName(NodeName.ToLowerInvariant(), "Node name") is { } nodeError)
        {
            yield return nodeError;
        }

        foreach (var (flag, size) in new[] { ("--reserve-memory", ReserveMemory), ("--reserve-disk", ReserveDisk), ("--max-template-size", MaxTemplateSize) })
        {
            if (!Core.Units.Size.TryParse(size, out var bytes))
            {
                yield return Core.Units.Size.Error(size, flag);
            }
            else if (bytes is null)
            {
                yield return $"{flag} must be a size such as 1G, not unlimited";
            }
        }

        if (OvercommitMemory < 1 || OvercommitCpu < 1 || OvercommitDisk < 1)
        {
            yield return "overcommit ratios must be at least 1 (1 = never oversold)";
        }

        foreach (var error in ValidateHistory())
        {
            yield return error;
        }

        foreach (var error in ValidateCapacity())
        {
            yield return error;
        }

        if (!Core.Units.Duration.TryParse(EventsRetention, out var retention) || retention <= TimeSpan.Zero)
        {
            yield return $"--events-retention '{EventsRetention}' is not a duration; use e.g. 12h, 30d or 8w";
        }

        if (!Core.Units.Duration.TryParse(IncomingLease, out var lease) || lease < TimeSpan.FromSeconds(1))
        {
            yield return $"--incoming-lease '{IncomingLease}' is not a duration of at least 1s; use e.g. 10m";
        }

        if (Listen is not null && !System.Net.IPEndPoint.TryParse(Listen, out _))
        {
            yield return $"--listen '{Listen}' is not HOST:PORT; use e.g. 127.0.0.1:8443";
        }
        else if (InsecureHttp && (Listen is null || !System.Net.IPAddress.IsLoopback(System.Net.IPEndPoint.Parse(Listen).Address)))
        {
            yield return Listen is null
                ? "--insecure-http needs --listen 127.0.0.1:PORT"
                : $"--insecure-http serves plain HTTP and is only allowed on a loopback address (127.0.0.1:PORT), not {Listen}: the bearer token would cross the network in clear. Drop --insecure-http to serve HTTPS";
        }
    }

    private IEnumerable<string> ValidateHistory()
    {
        var spans = new List<TimeSpan>();
        foreach (var (flag, text) in new[] { ("--sample-interval", SampleInterval), ("--history-raw", HistoryRaw), ("--history-bucket", HistoryBucket), ("--history-keep", HistoryKeep) })
        {
            if (!Core.Units.Duration.TryParse(text, out var span))
            {
                yield return $"{flag} '{text}' is not a duration; use e.g. 10s, 5m, 24h or 30d";
                yield break;
            }

            spans.Add(span);
        }

        var (interval, raw, bucket, keep) = (spans[0], spans[1], spans[2], spans[3]);
        if (interval < TimeSpan.FromSeconds(1))
        {
            yield return $"--sample-interval {SampleInterval} is too short; use at least 1s";
        }

        if (bucket < interval * 2 || bucket.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            yield return $"--history-bucket {HistoryBucket} must be whole seconds and at least two sample intervals ({Core.Units.Duration.Format(interval * 2)})";
        }

        if (raw < bucket * 2)
        {
            yield return $"--history-raw {HistoryRaw} must cover at least two buckets ({Core.Units.Duration.Format(bucket * 2)}) so every bucket is aggregated before its samples go";
        }

        if (keep < raw)
        {
            yield return $"--history-keep {HistoryKeep} must be at least --history-raw {HistoryRaw}";
        }
    }

    private IEnumerable<string> ValidateCapacity()
    {
        if (CapacityEpsilon is not (> 0 and < 1))
        {
            yield return $"--capacity-epsilon {CapacityEpsilon} must be a probability strictly between 0 and 1, e.g. 0.01";
        }

        if (!Core.Units.Duration.TryParse(CapacityWindow, out var window) || window <= TimeSpan.Zero)
        {
            yield return $"--capacity-window '{CapacityWindow}' is not a duration; use e.g. 30d";
        }
        else if (!Core.Units.Duration.TryParse(CapacityMinHistory, out var min) || min < TimeSpan.Zero)
        {
            yield return $"--capacity-min-history '{CapacityMinHistory}' is not a duration; use e.g. 1d (0 = always use the planner)";
        }
        else if (min > window)
        {
            yield return $"--capacity-min-history {CapacityMinHistory} is longer than --capacity-window {CapacityWindow}; the planner would never have enough";
        }
    }

    /// <summary>The cgroup subtree of this node: unique per node name, so instances on one host don't collide.</summary>
    public string CgroupParent => "hako-" + NodeName.ToLowerInvariant();
}

public sealed class HelpRequestedException : Exception;

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web, ReadCommentHandling = JsonCommentHandling.Skip)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HakodOptions))]
internal sealed partial class OptionsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
