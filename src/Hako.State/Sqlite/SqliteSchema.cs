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
    ];
}
