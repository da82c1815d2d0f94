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

        // 3: peer nodes for migration (their API URL and token), and this node's own settings
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
    ];
}
