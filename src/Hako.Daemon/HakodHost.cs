using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Daemon.Api;
using Hako.Daemon.Containers;
using Hako.Daemon.Monitoring;
using Hako.Daemon.Operations;
using Hako.Daemon.Options;
using Hako.Daemon.Reconcile;
using Hako.Linux.Cgroups;
using Hako.Runtime;
using Hako.Runtime.Lxc;
using Hako.Runtime.Storage;
using Hako.Runtime.Templates;
using Hako.State;
using Hako.State.Sqlite;

namespace Hako.Daemon;

/// <summary>Wires hakod together: state, runtime, API endpoints, background services, and the start-up reconcile.</summary>
public sealed class HakodHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FileStream _lock;

    private HakodHost(WebApplication app, FileStream dataDirLock) => (_app, _lock) = (app, dataDirLock);

    public IServiceProvider Services => _app.Services;

    public static async Task<HakodHost> BuildAsync(HakodOptions options, CancellationToken ct = default)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            throw new HakoException(ErrorCode.PermissionDenied, "hakod runs on Linux as root");
        }

        // Everything hakod creates (db, WAL, images, tokens, configs, logs, the socket) is root's alone; the tools
        // it starts get 022 back, since they make customers' files and run customers' processes (docs/architecture.md).
        Linux.Files.UnixFile.SetUmask(0b000_111_111);
        Linux.Processes.ProcessRunner.ChildUmask = 0b000_010_010;
        var paths = new NodePaths(options.DataDir);
        paths.EnsureCreated();
        var dataDirLock = LockDataDir(paths);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        PrepareSocket(options.Socket);
        // TCP is HTTPS with the node's own certificate; plain HTTP only on loopback with --insecure-http (checked in options).
        var tls = options.Listen is not null && !options.InsecureHttp
            ? Tls.NodeCertificate.LoadOrCreate(paths.DataDir, options.NodeName, TimeProvider.System)
            : null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(options.Socket);
            if (options.Listen is not null)
            {
                k.Listen(IPEndPoint.Parse(options.Listen), l =>
                {
                    if (tls is not null)
                    {
                        l.UseHttps(tls.Certificate);
                    }
                });
            }
        });
        builder.Services.AddSingleton(new Tls.NodeIdentity(tls?.Fingerprint));

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HakoJsonContext.Default));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(paths);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IStateStore>(_ => new SqliteStateStore(paths.Database));
        builder.Services.AddSingleton(_ => CgroupDriverFactory.Detect());
        builder.Services.AddSingleton(_ => new TemplateStore(paths.DataDir, options.UidBase) { MaxTemplateBytes = options.MaxTemplateSizeBytes });
        builder.Services.AddSingleton<LxcDriver>();
        builder.Services.AddSingleton<PrivateArea>();
        builder.Services.AddSingleton<ContainerLocks>();
        builder.Services.AddSingleton<Events.EventLog>();
        builder.Services.AddHostedService<Events.EventPruner>();
        builder.Services.AddSingleton<Resources.PlanCatalog>();
        builder.Services.AddSingleton<Beancounters.BeancounterService>();
        builder.Services.AddSingleton(sp => new Linux.Beancounters.BeancounterProbe(sp.GetRequiredService<ICgroupDriver>()));
        builder.Services.AddSingleton(_ => Linux.Cgroups.Io.IoControllerFactory.Detect());
        builder.Services.AddSingleton<Network.PortFilterService>();
        builder.Services.AddSingleton<ContainerService>();
        builder.Services.AddSingleton<Nodes.NodeRegistry>();
        builder.Services.AddSingleton<Runtime.Migration.CriuProbe>();
        builder.Services.AddSingleton<Migration.MigrationService>();
        builder.Services.AddSingleton<Migration.IncomingLeases>();
        builder.Services.AddSingleton<Migration.MigrationJournal>();
        builder.Services.AddSingleton<Migration.IncomingLeaseSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Migration.IncomingLeaseSweeper>());
        builder.Services.AddSingleton<OperationManager>();
        builder.Services.AddSingleton<Reconciler>();
        builder.Services.AddSingleton<LimitMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LimitMonitor>());
        // The usage store opens its own connection to the file the state store has migrated.
        builder.Services.AddSingleton<IUsageStore>(sp =>
        {
            sp.GetRequiredService<IStateStore>();
            return new SqliteUsageStore(paths.Database);
        });
        builder.Services.AddSingleton<Usage.UsageSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Usage.UsageSampler>());
        builder.Services.AddSingleton<Usage.UsageQuery>();
        builder.Services.AddSingleton<Usage.UsageTransfers>();
        builder.Services.AddSingleton<Usage.PrometheusExporter>();
        builder.Services.AddSingleton<Capacity.CapacityService>();

        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (Exception e) when (!http.Response.HasStarted)
            {
                var problem = Problems.From(e);
                if (problem.Status >= 500)
                {
                    app.Logger.LogError(e, "{Method} {Path} failed", http.Request.Method, http.Request.Path);
                }

                await Problems.Result(problem).ExecuteAsync(http);
            }
        });

        if (options.Listen is not null)
        {
            var token = EnsureToken(paths, "api.token");
            // A scraper gets a token of its own that opens /metrics and nothing else.
            var metricsToken = EnsureToken(paths, "metrics.token");
            app.Use(async (http, next) =>
            {
                // The unix socket is guarded by its file mode; TCP needs the bearer token.
                var authorization = http.Request.Headers.Authorization.ToString();
                var allowed = BearerMatches(authorization, token)
                    || (http.Request.Path == "/metrics" && BearerMatches(authorization, metricsToken));
                if (http.Connection.LocalIpAddress is not null && !allowed)
                {
                    throw new HakoException(ErrorCode.Unauthorized,
                        $"Missing or wrong bearer token; send 'Authorization: Bearer <token>' with the token from {Path.Combine(paths.DataDir, "api.token")} (or, for /metrics only, {Path.Combine(paths.DataDir, "metrics.token")})");
                }

                await next(http);
            });
        }

        // Every {name} in a route (container, template, plan, node) follows the one name rule before any
        // handler sees it: no "..", "%2F", "\n", unicode or 64+ characters reach a lookup, a path or a command.
        app.Use(async (http, next) =>
        {
            if (http.GetRouteValue("name") is string name && Core.Validation.Names.CheckName(name, "The name in the URL") is { } error)
            {
                throw HakoException.Invalid(error);
            }

            await next(http);
        });

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapNodeApi();
        app.MapTemplatesApi();
        app.MapContainersApi();
        app.MapPlansApi();
        app.MapBeancountersApi();
        app.MapOperationsApi();
        app.MapUsageApi();
        app.MapCapacityApi();
        app.MapEventsApi();
        app.MapNodesApi();
        app.MapMigrationApi();
        app.MapFallback(() => Problems.Result(Problems.From(HakoException.NotFound("No such endpoint; see /openapi/v1.json"))));

        app.Services.GetRequiredService<TemplateStore>().RemoveLeftovers();
        await app.Services.GetRequiredService<Reconciler>().RunAsync(ct);
        return new HakodHost(app, dataDirLock);
    }

    public async Task RunAsync(CancellationToken ct = default)
    {
        await _app.StartAsync(ct);
        var options = _app.Services.GetRequiredService<HakodOptions>();
        File.SetUnixFileMode(options.Socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Log.Started(_app.Logger, typeof(HakodHost).Assembly.GetName().Version?.ToString(3) ?? "0", options.Socket,
            options.DataDir, options.NodeName, _app.Services.GetRequiredService<ICgroupDriver>().Version);
        if (options.Listen is not null)
        {
            var identity = _app.Services.GetRequiredService<Tls.NodeIdentity>();
            Log.Listening(_app.Logger, options.InsecureHttp ? $"http://{options.Listen}" : $"https://{options.Listen}",
                identity.Fingerprint ?? "none (plain HTTP on loopback, --insecure-http)");
        }
        await _app.WaitForShutdownAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _lock.DisposeAsync();
    }

    /// <summary>One hakod per data dir: a second one on the same dir would fight over the same containers.</summary>
    private static FileStream LockDataDir(NodePaths paths)
    {
        try
        {
            return new FileStream(Path.Combine(paths.DataDir, "hakod.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new HakoException(ErrorCode.Conflict,
                $"Another hakod is already running on data dir {paths.DataDir}; stop it first or pick another --data-dir");
        }
    }

    private static void PrepareSocket(string socket)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(socket)!);
        if (!File.Exists(socket))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socket));
        }
        catch (SocketException)
        {
            File.Delete(socket); // stale socket from a hakod that died
            return;
        }

        throw new HakoException(ErrorCode.Conflict, $"Another hakod is already serving {socket}; stop it first or pick another --socket");
    }

    /// <summary>Made once, 0600 from the open call on (never written and then chmod'ed).</summary>
    private static string EnsureToken(NodePaths paths, string name)
    {
        var file = Path.Combine(paths.DataDir, name);
        Linux.Files.SecretFile.TryCreate(file, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
        return File.ReadAllText(file).Trim();
    }

    /// <summary>
    /// "Bearer TOKEN" compared in constant time over the UTF-8 bytes, so the time of a refusal says nothing
    /// about how much of a guess was right. (Lengths differ only for malformed headers; tokens are fixed-size.)
    /// </summary>
    internal static bool BearerMatches(string authorization, string token)
    {
        var given = System.Text.Encoding.UTF8.GetBytes(authorization);
        var expected = System.Text.Encoding.UTF8.GetBytes("Bearer " + token);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
