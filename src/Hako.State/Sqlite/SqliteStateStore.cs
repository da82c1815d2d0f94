using System.Globalization;
using Hako.Contracts;
using Hako.Core.Errors;
using System.Text.Json;
using Hako.Core.Containers;
using Hako.Core.Resources;
using Microsoft.Data.Sqlite;

namespace Hako.State.Sqlite;

/// <summary>The embedded default store: one SQLite file in WAL mode under the data dir.</summary>
public sealed class SqliteStateStore : IStateStore
{
    private static readonly string[] OwnedTables = ["containers", "limit_events", "counter_baselines"];
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();

    public SqliteStateStore(string path)
    {
        // Made 0600 before SQLite opens it: its -wal and -shm files take the database file's mode.
        if (!File.Exists(path))
        {
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }

        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        try
        {
            Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
            Migrate();
        }
        catch
        {
            _db.Dispose();
            throw;
        }
    }

    public int SchemaVersion => Convert.ToInt32(Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);

    private void Migrate()
    {
        var version = SchemaVersion;
        if (version > SqliteSchema.Steps.Length)
        {
            throw new HakoException(ErrorCode.Unsupported,
                $"The database is at schema {version} but this hakod knows only {SqliteSchema.Steps.Length}: it was written by a newer hakod. " +
                "Run that newer hakod (or newer) on this data dir; an older one must not open it.");
        }

        for (var i = version; i < SqliteSchema.Steps.Length; i++)
        {
            using var tx = _db.BeginTransaction();
            Exec(SqliteSchema.Steps[i], tx);
            Exec($"PRAGMA user_version = {i + 1}", tx);
            tx.Commit();
        }
    }

    public IReadOnlyList<ContainerRecord> ListContainers()
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT * FROM containers ORDER BY name";
            return ReadAll(cmd);
        }
    }

    public ContainerRecord? GetContainer(string name)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT * FROM containers WHERE name = $name";
            cmd.Parameters.AddWithValue("$name", name);
            return ReadAll(cmd).FirstOrDefault();
        }
    }

    public bool TryInsertContainer(ContainerRecord record)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO containers (name, status, template, hostname, ip, nameservers, memory, swap, cpus, cpulimit,
                    cpuunits, processes, disk, onboot, privileged, desired_state, created_at, plan, overrides,
                    ioprio, iolimit, iopslimit, cpumask)
                VALUES ($name, $status, $template, $hostname, $ip, $ns, $memory, $swap, $cpus, $cpulimit,
                    $cpuunits, $processes, $disk, $onboot, $privileged, $desired, $created, $plan, $overrides,
                    $ioprio, $iolimit, $iopslimit, $cpumask)
                """;
            Bind(cmd, record);
            try
            {
                cmd.ExecuteNonQuery();
                return true;
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: name or ip taken
            {
                return false;
            }
        }
    }

    public void UpdateContainer(ContainerRecord record) => UpdateContainer(record, durable: false);

    public void UpdateContainerDurable(ContainerRecord record) => UpdateContainer(record, durable: true);

    private void UpdateContainer(ContainerRecord record, bool durable)
    {
        lock (_lock)
        {
            using var _ = durable ? Durable() : null;
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                UPDATE containers SET status=$status, template=$template, hostname=$hostname, ip=$ip, nameservers=$ns,
                    memory=$memory, swap=$swap, cpus=$cpus, cpulimit=$cpulimit, cpuunits=$cpuunits, processes=$processes,
                    disk=$disk, onboot=$onboot, privileged=$privileged, desired_state=$desired, created_at=$created,
                    plan=$plan, overrides=$overrides, ioprio=$ioprio, iolimit=$iolimit, iopslimit=$iopslimit, cpumask=$cpumask
                WHERE name=$name
                """;
            Bind(cmd, record);
            cmd.ExecuteNonQuery();
        }
    }

    public void DeleteContainer(string name)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            foreach (var table in OwnedTables)
            {
                using var cmd = _db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = $"DELETE FROM {table} WHERE {(table == "containers" ? "name" : "container")} = $name";
                cmd.Parameters.AddWithValue("$name", name);
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    public IReadOnlyList<LimitEvent> GetLimitEvents(string container)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT counter, count, last_seen, detail FROM limit_events WHERE container=$c ORDER BY last_seen DESC";
            cmd.Parameters.AddWithValue("$c", container);
            using var r = cmd.ExecuteReader();
            var list = new List<LimitEvent>();
            while (r.Read())
            {
                list.Add(new LimitEvent
                {
                    Counter = r.GetString(0),
                    Count = r.GetInt64(1),
                    LastSeen = DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture),
                    Detail = r.IsDBNull(3) ? null : r.GetString(3),
                });
            }

            return list;
        }
    }

    public void AddLimitEvent(string container, string counter, long delta, DateTimeOffset when, string? detail)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO limit_events (container, counter, count, last_seen, detail) VALUES ($c, $k, $d, $t, $detail)
                ON CONFLICT (container, counter) DO UPDATE SET count = count + $d, last_seen = $t, detail = coalesce($detail, detail)
                """;
            cmd.Parameters.AddWithValue("$c", container);
            cmd.Parameters.AddWithValue("$k", counter);
            cmd.Parameters.AddWithValue("$d", delta);
            cmd.Parameters.AddWithValue("$t", when.ToString("O", CultureInfo.InvariantCulture));
            cmd.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
            cmd.ExecuteNonQuery();
        }
    }

    public IReadOnlyDictionary<(string Container, string Counter), long> GetCounterBaselines(bool beancounters)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"SELECT container, counter, value FROM counter_baselines WHERE counter {(beancounters ? "" : "NOT ")}LIKE 'ubc:%'";
            using var r = cmd.ExecuteReader();
            var map = new Dictionary<(string, string), long>();
            while (r.Read())
            {
                map[(r.GetString(0), r.GetString(1))] = r.GetInt64(2);
            }

            return map;
        }
    }

    public void SetCounterBaselines(IReadOnlyCollection<(string Container, string Counter, long Value)> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO counter_baselines (container, counter, value) VALUES ($c, $k, $v)
                ON CONFLICT (container, counter) DO UPDATE SET value = $v
                """;
            var c = cmd.Parameters.Add("$c", SqliteType.Text);
            var k = cmd.Parameters.Add("$k", SqliteType.Text);
            var v = cmd.Parameters.Add("$v", SqliteType.Integer);
            foreach (var (container, counter, value) in values)
            {
                c.Value = container;
                k.Value = counter;
                v.Value = value;
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    public IReadOnlyList<StoredPlan> ListPlans()
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT name, base, flags, created_at FROM plans ORDER BY name";
            using var r = cmd.ExecuteReader();
            var list = new List<StoredPlan>();
            while (r.Read())
            {
                list.Add(new StoredPlan(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1),
                    JsonSerializer.Deserialize(r.GetString(2), StateJsonContext.Default.PlanFlags) ?? new PlanFlags(),
                    DateTimeOffset.Parse(r.GetString(3), CultureInfo.InvariantCulture)));
            }

            return list;
        }
    }

    public bool TryInsertPlan(StoredPlan plan)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO plans (name, base, flags, created_at) VALUES ($n, $b, $f, $t)";
            cmd.Parameters.AddWithValue("$n", plan.Name);
            cmd.Parameters.AddWithValue("$b", (object?)plan.Base ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$f", JsonSerializer.Serialize(plan.Flags, StateJsonContext.Default.PlanFlags));
            cmd.Parameters.AddWithValue("$t", plan.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
            try
            {
                cmd.ExecuteNonQuery();
                return true;
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19)
            {
                return false;
            }
        }
    }

    public void DeletePlan(string name)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM plans WHERE name = $n";
            cmd.Parameters.AddWithValue("$n", name);
            cmd.ExecuteNonQuery();
        }
    }

    public EventInfo AppendEvent(EventInfo e)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO events (time, container, kind, type, counter, count, detail)
                VALUES ($t, $c, $kind, $type, $counter, $count, $detail) RETURNING id
                """;
            cmd.Parameters.AddWithValue("$t", Utc(e.Time));
            cmd.Parameters.AddWithValue("$c", (object?)e.Container ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$kind", e.Kind);
            cmd.Parameters.AddWithValue("$type", e.Type);
            cmd.Parameters.AddWithValue("$counter", (object?)e.Counter ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$count", (object?)e.Count ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$detail", (object?)e.Detail ?? DBNull.Value);
            return e with { Id = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) };
        }
    }

    public IReadOnlyList<EventInfo> QueryEvents(EventQuery query)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            var where = new List<string>();
            void Filter(string sql, string parameter, object? value)
            {
                if (value is not null)
                {
                    where.Add(sql);
                    cmd.Parameters.AddWithValue(parameter, value);
                }
            }

            Filter("container = $c", "$c", query.Container);
            Filter("type = $type", "$type", query.Type);
            Filter("time >= $since", "$since", query.Since is { } since ? Utc(since) : null);
            Filter("id > $after", "$after", query.AfterId);
            // Newest N unless paging forward from an id; flipped back to oldest first below.
            var newestFirst = query.AfterId is null && query.Limit is not null;
            cmd.CommandText = $"""
                SELECT id, time, container, kind, type, counter, count, detail FROM events
                {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
                ORDER BY id {(newestFirst ? "DESC" : "ASC")} {(query.Limit is { } n ? $"LIMIT {n}" : "")}
                """;
            using var r = cmd.ExecuteReader();
            var list = new List<EventInfo>();
            while (r.Read())
            {
                list.Add(new EventInfo
                {
                    Id = r.GetInt64(0),
                    Time = DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture),
                    Container = r.IsDBNull(2) ? null : r.GetString(2),
                    Kind = r.GetString(3),
                    Type = r.GetString(4),
                    Counter = r.IsDBNull(5) ? null : r.GetString(5),
                    Count = r.IsDBNull(6) ? null : r.GetInt64(6),
                    Detail = r.IsDBNull(7) ? null : r.GetString(7),
                });
            }

            if (newestFirst)
            {
                list.Reverse();
            }

            return list;
        }
    }

    public long LastEventId()
    {
        lock (_lock)
        {
            return Convert.ToInt64(Scalar("SELECT coalesce(max(id), 0) FROM events"), CultureInfo.InvariantCulture);
        }
    }

    public int DeleteEventsBefore(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM events WHERE time < $t";
            cmd.Parameters.AddWithValue("$t", Utc(cutoff));
            return cmd.ExecuteNonQuery();
        }
    }

    public IReadOnlyList<PeerNode> ListNodes()
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT name, url, token, added_at, fingerprint FROM nodes ORDER BY name";
            using var r = cmd.ExecuteReader();
            var list = new List<PeerNode>();
            while (r.Read())
            {
                list.Add(new PeerNode(r.GetString(0), new Uri(r.GetString(1)), r.GetString(2),
                    DateTimeOffset.Parse(r.GetString(3), CultureInfo.InvariantCulture), r.IsDBNull(4) ? null : r.GetString(4)));
            }

            return list;
        }
    }

    public bool TryInsertNode(PeerNode node)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO nodes (name, url, token, added_at, fingerprint) VALUES ($n, $u, $t, $a, $f)";
            cmd.Parameters.AddWithValue("$f", (object?)node.Fingerprint ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$n", node.Name);
            cmd.Parameters.AddWithValue("$u", node.Url.ToString());
            cmd.Parameters.AddWithValue("$t", node.Token);
            cmd.Parameters.AddWithValue("$a", node.AddedAt.ToString("O", CultureInfo.InvariantCulture));
            try
            {
                cmd.ExecuteNonQuery();
                return true;
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19)
            {
                return false;
            }
        }
    }

    public void DeleteNode(string name)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM nodes WHERE name = $n";
            cmd.Parameters.AddWithValue("$n", name);
            cmd.ExecuteNonQuery();
        }
    }

    public string? GetSetting(string key)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT value FROM node_settings WHERE key = $k";
            cmd.Parameters.AddWithValue("$k", key);
            return cmd.ExecuteScalar() as string;
        }
    }

    public IReadOnlyList<(string Key, string Value)> ListSettings(string prefix)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT key, value FROM node_settings WHERE substr(key, 1, length($p)) = $p ORDER BY key";
            cmd.Parameters.AddWithValue("$p", prefix);
            using var reader = cmd.ExecuteReader();
            var result = new List<(string, string)>();
            while (reader.Read())
            {
                result.Add((reader.GetString(0), reader.GetString(1)));
            }

            return result;
        }
    }

    public void SetSetting(string key, string? value, bool durable = false)
    {
        lock (_lock)
        {
            using var _ = durable ? Durable() : null;
            using var cmd = _db.CreateCommand();
            cmd.CommandText = value is null
                ? "DELETE FROM node_settings WHERE key = $k"
                : "INSERT INTO node_settings (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = $v";
            cmd.Parameters.AddWithValue("$k", key);
            if (value is not null)
            {
                cmd.Parameters.AddWithValue("$v", value);
            }

            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Event times are stored in UTC with a fixed width, so comparing the text compares the times.</summary>
    private static string Utc(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public void Dispose() => _db.Dispose();

    /// <summary>
    /// For the next statements (under the lock): synchronous=FULL, so the commit fsyncs the WAL before it returns.
    /// NORMAL (the default here) is safe against a crash of hakod but a power loss may revert the last commits;
    /// a migration's switch-over must not be reverted once the other node acted on it.
    /// </summary>
    private SynchronousScope Durable()
    {
        Exec("PRAGMA synchronous=FULL");
        return new SynchronousScope(this);
    }

    private sealed class SynchronousScope(SqliteStateStore store) : IDisposable
    {
        public void Dispose() => store.Exec("PRAGMA synchronous=NORMAL");
    }

    private static void Bind(SqliteCommand cmd, ContainerRecord r)
    {
        static object N<T>(T? v) where T : struct => v.HasValue ? v.Value : DBNull.Value;
        cmd.Parameters.AddWithValue("$name", r.Name);
        cmd.Parameters.AddWithValue("$status", r.Status.ToString().ToLowerInvariant());
        cmd.Parameters.AddWithValue("$template", r.Template);
        cmd.Parameters.AddWithValue("$hostname", r.Hostname);
        cmd.Parameters.AddWithValue("$ip", (object?)r.Ip ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$ns", string.Join(',', r.Nameservers));
        cmd.Parameters.AddWithValue("$memory", N(r.Limits.MemoryBytes));
        cmd.Parameters.AddWithValue("$swap", N(r.Limits.SwapBytes));
        cmd.Parameters.AddWithValue("$cpus", N(r.Limits.Cpus));
        cmd.Parameters.AddWithValue("$cpulimit", N(r.Limits.CpuLimitPercent));
        cmd.Parameters.AddWithValue("$cpuunits", r.Limits.CpuUnits);
        cmd.Parameters.AddWithValue("$processes", N(r.Limits.Processes));
        cmd.Parameters.AddWithValue("$disk", N(r.Limits.DiskBytes));
        cmd.Parameters.AddWithValue("$onboot", r.OnBoot ? 1 : 0);
        cmd.Parameters.AddWithValue("$privileged", r.Privileged ? 1 : 0);
        cmd.Parameters.AddWithValue("$desired", r.DesiredState);
        cmd.Parameters.AddWithValue("$created", r.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$plan", (object?)r.PlanName ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$ioprio", N(r.Limits.IoPrio));
        cmd.Parameters.AddWithValue("$iolimit", N(r.Limits.IoLimitBytesPerSecond));
        cmd.Parameters.AddWithValue("$iopslimit", N(r.Limits.IopsLimit));
        cmd.Parameters.AddWithValue("$cpumask", (object?)r.Limits.CpuMask ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$overrides", JsonSerializer.Serialize(r.Overrides, StateJsonContext.Default.PlanFlags));
    }

    private static List<ContainerRecord> ReadAll(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<ContainerRecord>();
        while (r.Read())
        {
            long? L(string col) => r.IsDBNull(r.GetOrdinal(col)) ? null : r.GetInt64(r.GetOrdinal(col));
            int? I(string col) => L(col) is { } v ? (int)v : null;
            string S(string col) => r.GetString(r.GetOrdinal(col));
            var ns = S("nameservers");
            list.Add(new ContainerRecord
            {
                Name = S("name"),
                Status = Enum.Parse<RecordStatus>(S("status"), ignoreCase: true),
                Template = S("template"),
                Hostname = S("hostname"),
                Ip = r.IsDBNull(r.GetOrdinal("ip")) ? null : S("ip"),
                Nameservers = ns.Length == 0 ? [] : ns.Split(','),
                Limits = new ResourceLimits
                {
                    MemoryBytes = L("memory"),
                    SwapBytes = L("swap"),
                    Cpus = I("cpus"),
                    CpuLimitPercent = I("cpulimit"),
                    CpuUnits = I("cpuunits") ?? 1000,
                    Processes = I("processes"),
                    DiskBytes = L("disk"),
                    IoPrio = I("ioprio"),
                    IoLimitBytesPerSecond = L("iolimit"),
                    IopsLimit = L("iopslimit"),
                    CpuMask = r.IsDBNull(r.GetOrdinal("cpumask")) ? null : S("cpumask"),
                },
                OnBoot = L("onboot") == 1,
                Privileged = L("privileged") == 1,
                DesiredState = S("desired_state"),
                CreatedAt = DateTimeOffset.Parse(S("created_at"), CultureInfo.InvariantCulture),
                PlanName = r.IsDBNull(r.GetOrdinal("plan")) ? null : S("plan"),
                Overrides = JsonSerializer.Deserialize(S("overrides"), StateJsonContext.Default.PlanFlags) ?? new PlanFlags(),
            });
        }

        return list;
    }

    private void Exec(string sql, SqliteTransaction? tx = null)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
