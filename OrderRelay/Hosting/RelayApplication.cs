using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderRelay.Compat;
using OrderRelay.Configuration;
using OrderRelay.Connections;
using OrderRelay.Core;
using OrderRelay.Core.Escalation;
using OrderRelay.Core.Receipts;
using OrderRelay.Demo;
using OrderRelay.Diagnostics;
using OrderRelay.Http;
using OrderRelay.Protocol;
using OrderRelay.Samples;
using OrderRelay.Security;
using OrderRelay.Status;
using OrderRelay.Storage;
using Serilog;

namespace OrderRelay.Hosting;

/// <summary>Composes the relay: configuration, logging, the core, and the Kestrel edge.</summary>
internal static class RelayApplication
{
    /// <summary>How long shutdown may take before the host gives up waiting; the protocol promises exit within 10 s.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(8);

    public static WebApplication Build(string[] args)
    {
        var builder = CreateBuilder(args);

        var options = ReadOptions(builder.Configuration);
        var kestrelLimits = ReadKestrelLimits(builder.Configuration);
        ConfigureLogging(builder, options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Kestrel's own limits, as a full host binds them (Kestrel:Limits:RequestHeadersTimeout and the rest).
            kestrelLimits.Bind(kestrel.Limits);
            // Validated at start-up, so the address is known to parse.
            options.TryGetBindAddress(out var address);
            kestrel.Listen(address!, options.Port, listen =>
            {
                if (options.Tls.Enabled)
                {
                    listen.UseHttps(TlsCertificate.Load(options.Tls));
                }

                // After TLS, so it reads the decrypted head; see WebSocketConnectionMiddleware.
                listen.Use(next => new WebSocketConnectionMiddleware(next, listen.ApplicationServices.GetRequiredService<RelayConnectionServices>()).OnConnectionAsync);
            });
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddProblemDetails();
        AddRelay(builder.Services, options);
        if (options.Demo)
        {
            builder.Services.AddHostedService<DemoPublisher>();
        }

        var app = builder.Build();
        if (options.ServeSamples || options.Demo)
        {
            SampleFiles.Map(app);
        }

        // First, so that every limit, partition and log line on the HTTP side sees the client's own
        // address; the upgrade edge applies the same options through ClientAddresses.
        if (app.Services.GetRequiredService<ClientAddresses>().Options is { } forwarded)
        {
            app.UseForwardedHeaders(forwarded);
        }

        app.UseWebSockets();
        app.MapPost("/publish", PublishEndpoint.HandleAsync);
        app.MapGet("/healthz", StatusEndpoints.HealthAsync);
        app.MapGet("/metrics", StatusEndpoints.MetricsAsync);
        app.MapGet("/merchants/{id}", StatusEndpoints.MerchantAsync);
        app.MapGet("/orders/seq/{seq}", OrderStatusEndpoints.BySeqAsync);
        app.MapGet("/orders/{id}", OrderStatusEndpoints.ByKeyAsync);

        if (options.Status.Enabled)
        {
            StatusPage.Map(app);
        }

        if (options.Compat.SeedEnabled)
        {
            SeedEndpoint.Map(app, options.Compat.SeedPath);
        }

        app.Map(options.Path, WebSocketEndpoint.HandleAsync);
        return app;
    }

    /// <summary>The configuration the relay would start with: the same sources, in the same order.</summary>
    public static IConfiguration ReadConfiguration(string[] args) => CreateBuilder(args).Configuration;

    /// <summary>Settings files are read from the program's folder, whatever the working directory.</summary>
    private static WebApplicationBuilder CreateBuilder(string[] args) => WebApplication.CreateSlimBuilder(new WebApplicationOptions
    {
        Args = DemoMode.ExpandSwitch(args),
        ContentRootPath = AppContext.BaseDirectory,
    });

    private static void AddRelay(IServiceCollection services, RelayOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RelayMetrics>();
        services.AddSingleton<IOrderStore>(provider => options.Store switch
        {
            StoreKinds.Sqlite => ActivatorUtilities.CreateInstance<SqliteOrderStore>(provider),
            StoreKinds.Redis => new RedisOrderStore(options.Redis, options.History.MaxOrders, options.History.MaxAge, options.Escalation,
                provider.GetRequiredService<ILogger<RedisOrderStore>>()),
            _ => new MemoryOrderStore(Math.Min(options.HistoryLimit, options.History.MaxOrders), options.MerchantLimit, options.Escalation),
        });
        services.AddSingleton(provider => (IOrderTracking)provider.GetRequiredService<IOrderStore>());
        services.AddSingleton<OrderAcceptance>();
        services.AddSingleton<ReceiptPump>();
        services.AddSingleton<AcceptedBroadcaster>();
        services.AddSingleton<EscalationService>();
        services.AddSingleton<Relay>();
        services.AddSingleton(new ClientFrameParser(options.MerchantField));
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton(new PublisherKeys(options.Auth.PublisherKeys));
        services.AddSingleton(new SubscriberTokens(options.Auth));
        services.AddSingleton(new ConnectionLimiter(options.Limits));
        services.AddSingleton<HelloAuthenticator>();
        services.AddSingleton(new ClientAddresses(options.ForwardedHeaders));
        services.AddSingleton<ConnectionAdmission>();
        services.AddSingleton(new PublishRateLimits(options.Limits));
        services.AddSingleton<RelayConnectionServices>();
        services.AddHostedService<RelayLifecycle>();
        StatusPage.AddServices(services);
        SeedEndpoint.AddServices(services);
        services.AddHostedService<OrderTrackingLifecycle>();
    }

    private static RelayOptions ReadOptions(ConfigurationManager configuration)
    {
        RelayOptions options;
        try
        {
            options = configuration.GetSection(RelayOptions.SectionName).Get<RelayOptions>(binder => binder.ErrorOnUnknownConfiguration = true)
                ?? new RelayOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new RelayStartupException(ex.Message, ex);
        }

        var errors = RelayOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new RelayStartupException(string.Join(Environment.NewLine, errors));
        }

        return options;
    }

    /// <summary>The <c>Kestrel:Limits</c> section, checked now so that a bad value stops the start with its name, not a stack trace.</summary>
    private static IConfigurationSection ReadKestrelLimits(ConfigurationManager configuration)
    {
        var section = configuration.GetSection("Kestrel:Limits");
        try
        {
            section.Bind(new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits(), binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            throw new RelayStartupException(ex.Message, ex);
        }

        return section;
    }

    private static void ConfigureLogging(WebApplicationBuilder builder, RelayOptions options)
    {
        builder.Services.AddSerilog((_, logger) =>
        {
            // The defaults appsettings.json also names, so that the binary alone logs the same.
            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
                .ReadFrom.Configuration(builder.Configuration)
                .Filter.ByExcluding(StartupFailure.IsHostReportOfExplained)
                .Enrich.FromLogContext()
                .Enrich.With(new QuerySecretRedactor())
                .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}");
            if (options.LogFile.Length > 0)
            {
                logger.WriteTo.File(new Serilog.Formatting.Compact.CompactJsonFormatter(), options.LogFile,
                    rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, fileSizeLimitBytes: 100 * 1024 * 1024, rollOnFileSizeLimit: true);
            }
        });
    }
}
