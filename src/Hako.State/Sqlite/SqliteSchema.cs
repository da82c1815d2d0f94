namespace Hako.State.Sqlite;

/// <summary>
/// Append-only numbered schema updates. Never edit a released step: add a new one.
/// The database's <c>PRAGMA user_version</c> is the number of steps applied.
/// </summary>
internal static class SqliteSchema
{
    public static readonly string[] Steps =
    [
        // 1: containers, their limit events and counter baselines.
        """
        CREATE TABLE containers (
            name          TEXT PRIMARY KEY,
            status        TEXT NOT NULL,
            template      TEXT NOT NULL,
            hostname      TEXT NOT NULL,
            ip            TEXT UNIQUE,
            nameservers   TEXT NOT NULL DEFAULT '',
            memory        INTEGER,
            swap          INTEGER,
            cpus          INTEGER,
            cpulimit      INTEGER,
            cpuunits      INTEGER NOT NULL DEFAULT 1000,
            processes     INTEGER,
            disk          INTEGER,
            onboot        INTEGER NOT NULL DEFAULT 0,
            privileged    INTEGER NOT NULL DEFAULT 0,
            desired_state TEXT NOT NULL DEFAULT 'stopped',
            created_at    TEXT NOT NULL
        );
        CREATE TABLE limit_events (
            container TEXT NOT NULL,
            counter   TEXT NOT NULL,
            count     INTEGER NOT NULL,
            last_seen TEXT NOT NULL,
            detail    TEXT,
            PRIMARY KEY (container, counter)
        );
        CREATE TABLE counter_baselines (
            container TEXT NOT NULL,
            counter   TEXT NOT NULL,
            value     INTEGER NOT NULL,
            PRIMARY KEY (container, counter)
        );
        """,

        // 2: plans, and the container's plan plus its explicit settings (overrides) as PlanFlags JSON.
        // Rows from step 1 keep their limits: they become overrides of the default settings.
        """
        CREATE TABLE plans (
            name       TEXT PRIMARY KEY,
            base       TEXT,
            flags      TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        ALTER TABLE containers ADD COLUMN plan TEXT;
        ALTER TABLE containers ADD COLUMN overrides TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE containers ADD COLUMN ioprio INTEGER;
        ALTER TABLE containers ADD COLUMN iolimit INTEGER;
        ALTER TABLE containers ADD COLUMN iopslimit INTEGER;
        ALTER TABLE containers ADD COLUMN cpumask TEXT;
        UPDATE containers SET overrides = json_object(
            'memory', coalesce(CAST(memory AS TEXT), 'unlimited'),
            'swap', coalesce(CAST(swap AS TEXT), 'unlimited'),
            'disk', coalesce(CAST(disk AS TEXT), 'unlimited'),
            'cpuUnits', CAST(cpuunits AS TEXT));
        UPDATE containers SET overrides = json_set(overrides, '$.cpus', CAST(cpus AS TEXT)) WHERE cpus IS NOT NULL;
        UPDATE containers SET overrides = json_set(overrides, '$.cpuLimit', CAST(cpulimit AS TEXT)) WHERE cpulimit IS NOT NULL;
        UPDATE containers SET overrides = json_set(overrides, '$.processes', CAST(processes AS TEXT)) WHERE processes IS NOT NULL;
        """,
        // 3: usage history. Raw samples (counters as running totals, time in Unix ms) and aggregates
        // over buckets of `span` seconds (mean, max, p95 per metric in display units × 1000: rates per
        // second for counters), both keyed by a small series id (a container name or '@node').
        """
        CREATE TABLE usage_series (
            id   INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE usage_raw (
            series INTEGER NOT NULL,
            t      INTEGER NOT NULL,
            cpu_ns INTEGER,
            memory INTEGER,
            swap INTEGER,
            cache INTEGER,
            disk INTEGER,
            inodes INTEGER,
            io_rb INTEGER,
            io_wb INTEGER,
            io_ro INTEGER,
            io_wo INTEGER,
            net_rb INTEGER,
            net_tb INTEGER,
            net_rp INTEGER,
            net_tp INTEGER,
            procs INTEGER,
            oom INTEGER,
            hits INTEGER,
            load1 INTEGER,
            PRIMARY KEY (series, t)
        ) WITHOUT ROWID;
        CREATE TABLE usage_agg (
            series INTEGER NOT NULL,
            t      INTEGER NOT NULL,
            span   INTEGER NOT NULL,
            n      INTEGER NOT NULL,
            cpu_ns_mean INTEGER, cpu_ns_max INTEGER, cpu_ns_p95 INTEGER,
            memory_mean INTEGER, memory_max INTEGER, memory_p95 INTEGER,
            swap_mean INTEGER, swap_max INTEGER, swap_p95 INTEGER,
            cache_mean INTEGER, cache_max INTEGER, cache_p95 INTEGER,
            disk_mean INTEGER, disk_max INTEGER, disk_p95 INTEGER,
            inodes_mean INTEGER, inodes_max INTEGER, inodes_p95 INTEGER,
            io_rb_mean INTEGER, io_rb_max INTEGER, io_rb_p95 INTEGER,
            io_wb_mean INTEGER, io_wb_max INTEGER, io_wb_p95 INTEGER,
            io_ro_mean INTEGER, io_ro_max INTEGER, io_ro_p95 INTEGER,
            io_wo_mean INTEGER, io_wo_max INTEGER, io_wo_p95 INTEGER,
            net_rb_mean INTEGER, net_rb_max INTEGER, net_rb_p95 INTEGER,
            net_tb_mean INTEGER, net_tb_max INTEGER, net_tb_p95 INTEGER,
            net_rp_mean INTEGER, net_rp_max INTEGER, net_rp_p95 INTEGER,
            net_tp_mean INTEGER, net_tp_max INTEGER, net_tp_p95 INTEGER,
            procs_mean INTEGER, procs_max INTEGER, procs_p95 INTEGER,
            oom_mean INTEGER, oom_max INTEGER, oom_p95 INTEGER,
            hits_mean INTEGER, hits_max INTEGER, hits_p95 INTEGER,
            load1_mean INTEGER, load1_max INTEGER, load1_p95 INTEGER,
            PRIMARY KEY (series, t)
        ) WITHOUT ROWID;
        """,

        // 4: the event log (hako events): lifecycle and resource events, kept for --events-retention.
        // time is ISO 8601 in UTC with 7 fractional digits, so text order is time order.
        """
        CREATE TABLE events (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            time      TEXT NOT NULL,
            container TEXT,
            kind      TEXT NOT NULL,
            type      TEXT NOT NULL,
            counter   TEXT,
            count     INTEGER,
            detail    TEXT
        );
        CREATE INDEX events_container_id ON events (container, id);
        CREATE INDEX events_time ON events (time);
        """,

        // 5: peer nodes for migration (their API URL and token), and this node's own settings
        // (e.g. 'evacuated' while the operator empties it).
        """
        CREATE TABLE nodes (
            name     TEXT PRIMARY KEY,
            url      TEXT NOT NULL,
            token    TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE TABLE node_settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,

        // 6: the pinned TLS certificate fingerprint of each peer (its API is HTTPS with a self-signed certificate).
        """
        ALTER TABLE nodes ADD COLUMN fingerprint TEXT;
        """,
    ];
}
