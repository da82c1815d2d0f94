using System.Globalization;
using System.Text;
using Hako.Core.Usage;
using Microsoft.Data.Sqlite;

namespace Hako.State.Sqlite;

/// <summary>
/// Usage history in the node's SQLite file, on its own connection so that long history reads
/// never wait behind the state store (WAL lets them run beside the sampler's writes). The tables
/// come from <see cref="SqliteSchema"/>; open the <see cref="SqliteStateStore"/> first, which
/// migrates the file. Values are integers: raw samples as measured, aggregates in display units
/// × 1000 (see docs/usage.md).
/// </summary>
public sealed class SqliteUsageStore : IUsageStore
{
    private const double AggregateScale = 1000;
    private static readonly string RawColumns = string.Join(", ", UsageMetrics.All.Select(m => m.Column));
    private static readonly string AggColumns = string.Join(", ", UsageMetrics.All.Select(m => $"{m.Column}_mean, {m.Column}_max, {m.Column}_p95"));

    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _seriesIds = [];

    public SqliteUsageStore(string path)
    {
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";
        cmd.ExecuteNonQuery();
    }

    public void AppendRaw(IReadOnlyCollection<UsageSample> samples)
    {
        if (samples.Count == 0)
        {
            return;
        }

        InWriteTransaction((tx, cmd) =>
        {
            cmd.CommandText = $"INSERT OR REPLACE INTO usage_raw (series, t, {RawColumns}) VALUES ($s, $t, {Params("v", UsageMetrics.Count)})";
            var series = cmd.Parameters.Add("$s", SqliteType.Integer);
            var time = cmd.Parameters.Add("$t", SqliteType.Integer);
            var values = Enumerable.Range(0, UsageMetrics.Count).Select(i => cmd.Parameters.Add($"$v{i}", SqliteType.Integer)).ToArray();
            cmd.Prepare();
            foreach (var s in samples)
            {
                series.Value = SeriesId(s.Series, tx);
                time.Value = s.Time.ToUnixTimeMilliseconds();
                for (var i = 0; i < values.Length; i++)
                {
                    values[i].Value = (object?)s.Values[i] ?? DBNull.Value;
                }

                cmd.ExecuteNonQuery();
            }
        });
    }

    public IReadOnlyList<UsageSample> ReadRaw(string series, DateTimeOffset from, DateTimeOffset to) =>
        QueryRaw(series, "t >= $from AND t < $to ORDER BY t", from, to);

    public UsageSample? RawBefore(string series, DateTimeOffset time) =>
        QueryRaw(series, "t < $from ORDER BY t DESC LIMIT 1", time, time).FirstOrDefault();

    public void AppendAggregates(string series, TimeSpan span, IReadOnlyList<(UsagePoint Bucket, int Samples)> buckets)
    {
        if (buckets.Count == 0)
        {
            return;
        }

        InWriteTransaction((tx, cmd) =>
        {
            cmd.CommandText = $"INSERT OR REPLACE INTO usage_agg (series, t, span, n, {AggColumns}) VALUES ($s, $t, $span, $n, {Params("v", UsageMetrics.Count * 3)})";
            cmd.Parameters.AddWithValue("$s", SeriesId(series, tx));
            cmd.Parameters.AddWithValue("$span", (long)span.TotalSeconds);
            var time = cmd.Parameters.Add("$t", SqliteType.Integer);
            var n = cmd.Parameters.Add("$n", SqliteType.Integer);
            var values = Enumerable.Range(0, UsageMetrics.Count * 3).Select(i => cmd.Parameters.Add($"$v{i}", SqliteType.Integer)).ToArray();
            cmd.Prepare();
            foreach (var (bucket, samples) in buckets)
            {
                time.Value = bucket.Time.ToUnixTimeMilliseconds();
                n.Value = samples;
                for (var m = 0; m < UsageMetrics.Count; m++)
                {
                    var v = bucket.Values[m];
                    values[3 * m].Value = v is { } a ? Scaled(a.Mean) : DBNull.Value;
                    values[3 * m + 1].Value = v is { } b ? Scaled(b.Max) : DBNull.Value;
                    values[3 * m + 2].Value = v is { } c ? Scaled(c.P95) : DBNull.Value;
                }

                cmd.ExecuteNonQuery();
            }
        });
    }

    public IReadOnlyList<UsagePoint> ReadAggregates(string series, DateTimeOffset from, DateTimeOffset to) =>
        QuerySeries(series, $"SELECT t, {AggColumns} FROM usage_agg WHERE series = $s AND t >= $from AND t < $to ORDER BY t", from, to, r =>
        {
            var values = new UsageValue?[UsageMetrics.Count];
            for (var m = 0; m < values.Length; m++)
            {
                var c = 1 + 3 * m;
                if (!r.IsDBNull(c))
                {
                    values[m] = new UsageValue(r.GetInt64(c) / AggregateScale, r.GetInt64(c + 1) / AggregateScale, r.GetInt64(c + 2) / AggregateScale);
                }
            }

            return new UsagePoint(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), values);
        });

    public IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset Time, double?[] Means)>> ReadMeans(
        IReadOnlyList<UsageMetric> metrics, IReadOnlyDictionary<string, DateTimeOffset> from, DateTimeOffset defaultFrom)
    {
        lock (_lock)
        {
            var series = new List<(long Id, string Name)>();
            using (var list = _db.CreateCommand())
            {
                list.CommandText = "SELECT id, name FROM usage_series";
                using var r = list.ExecuteReader();
                while (r.Read())
                {
                    series.Add((r.GetInt64(0), r.GetString(1)));
                }
            }

            // One range scan of the primary key (series, t) per series: cheap when only new buckets are asked.
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"SELECT t, {string.Join(", ", metrics.Select(m => UsageMetrics.Info(m).Column + "_mean"))} FROM usage_agg WHERE series = $s AND t >= $from ORDER BY t";
            var id = cmd.Parameters.Add("$s", SqliteType.Integer);
            var since = cmd.Parameters.Add("$from", SqliteType.Integer);
            cmd.Prepare();
            var result = new Dictionary<string, IReadOnlyList<(DateTimeOffset, double?[])>>(StringComparer.Ordinal);
            foreach (var (seriesId, name) in series)
            {
                id.Value = seriesId;
                since.Value = from.GetValueOrDefault(name, defaultFrom).ToUnixTimeMilliseconds();
                using var r = cmd.ExecuteReader();
                var rows = new List<(DateTimeOffset, double?[])>();
                while (r.Read())
                {
                    var means = new double?[metrics.Count];
                    for (var m = 0; m < means.Length; m++)
                    {
                        means[m] = r.IsDBNull(m + 1) ? null : r.GetInt64(m + 1) / AggregateScale;
                    }

                    rows.Add((DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), means));
                }

                result[name] = rows;
            }

            return result;
        }
    }

    public IReadOnlyDictionary<string, DateTimeOffset> LastAggregates() =>
        PerSeries("SELECT s.name, max(a.t) FROM usage_agg a JOIN usage_series s ON s.id = a.series GROUP BY a.series");

    public IReadOnlyDictionary<string, DateTimeOffset> FirstRaw() =>
        PerSeries("SELECT s.name, min(r.t) FROM usage_raw r JOIN usage_series s ON s.id = r.series GROUP BY r.series");

    public void Prune(DateTimeOffset rawBefore, DateTimeOffset aggregatesBefore)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                DELETE FROM usage_raw WHERE t < $raw;
                DELETE FROM usage_agg WHERE t < $agg;
                DELETE FROM usage_series WHERE id NOT IN (SELECT series FROM usage_raw) AND id NOT IN (SELECT series FROM usage_agg);
                """;
            cmd.Parameters.AddWithValue("$raw", rawBefore.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$agg", aggregatesBefore.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
            _seriesIds.Clear();
        }
    }

    public void DeleteSeries(string series)
    {
        lock (_lock)
        {
            if (FindSeries(series) is not { } id)
            {
                return;
            }

            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM usage_raw WHERE series = $s; DELETE FROM usage_agg WHERE series = $s; DELETE FROM usage_series WHERE id = $s;";
            cmd.Parameters.AddWithValue("$s", id);
            cmd.ExecuteNonQuery();
            _seriesIds.Remove(series);
        }
    }

    public (long Raw, long Aggregates) RowCounts()
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT (SELECT count(*) FROM usage_raw), (SELECT count(*) FROM usage_agg)";
            using var r = cmd.ExecuteReader();
            r.Read();
            return (r.GetInt64(0), r.GetInt64(1));
        }
    }

    public void Dispose() => _db.Dispose();

    private List<UsageSample> QueryRaw(string series, string where, DateTimeOffset from, DateTimeOffset to) =>
        QuerySeries(series, $"SELECT t, {RawColumns} FROM usage_raw WHERE series = $s AND {where}", from, to, r =>
        {
            var values = UsageSample.NewValues();
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = r.IsDBNull(i + 1) ? null : r.GetInt64(i + 1);
            }

            return new UsageSample(series, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), values);
        });

    /// <summary>
    /// Runs <paramref name="write"/> with a command in a new transaction and commits. When it fails, the
    /// series ids cached during the transaction may not exist, so the cache is dropped.
    /// </summary>
    private void InWriteTransaction(Action<SqliteTransaction, SqliteCommand> write)
    {
        lock (_lock)
        {
            try
            {
                using var tx = _db.BeginTransaction();
                using var cmd = _db.CreateCommand();
                cmd.Transaction = tx;
                write(tx, cmd);
                tx.Commit();
            }
            catch
            {
                _seriesIds.Clear();
                throw;
            }
        }
    }

    /// <summary>Runs <paramref name="sql"/> (with $s, $from, $to) for one series and reads each row; empty when the series is unknown.</summary>
    private List<T> QuerySeries<T>(string series, string sql, DateTimeOffset from, DateTimeOffset to, Func<SqliteDataReader, T> read)
    {
        lock (_lock)
        {
            if (FindSeries(series) is not { } id)
            {
                return [];
            }

            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$s", id);
            cmd.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            using var r = cmd.ExecuteReader();
            var rows = new List<T>();
            while (r.Read())
            {
                rows.Add(read(r));
            }

            return rows;
        }
    }

    private Dictionary<string, DateTimeOffset> PerSeries(string sql)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            using var r = cmd.ExecuteReader();
            var result = new Dictionary<string, DateTimeOffset>();
            while (r.Read())
            {
                result[r.GetString(0)] = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1));
            }

            return result;
        }
    }

    private long? FindSeries(string name, SqliteTransaction? tx = null)
    {
        if (_seriesIds.TryGetValue(name, out var id))
        {
            return id;
        }

        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT id FROM usage_series WHERE name = $n";
        cmd.Parameters.AddWithValue("$n", name);
        if (cmd.ExecuteScalar() is long found)
        {
            _seriesIds[name] = found;
            return found;
        }

        return null;
    }

    private long SeriesId(string name, SqliteTransaction tx)
    {
        if (FindSeries(name, tx) is { } id)
        {
            return id;
        }

        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO usage_series (name) VALUES ($n) RETURNING id";
        cmd.Parameters.AddWithValue("$n", name);
        var created = (long)cmd.ExecuteScalar()!;
        _seriesIds[name] = created;
        return created;
    }

    private static long Scaled(double value) => (long)Math.Round(value * AggregateScale);

    private static string Params(string prefix, int count)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            sb.Append(i == 0 ? "" : ", ").Append('$').Append(prefix).Append(i.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
