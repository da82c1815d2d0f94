using Hako.Core.Errors;
using Hako.Daemon;
using Hako.Daemon.Options;

HakodOptions options;
try
{
    options = HakodOptions.Parse(args);
}
catch (HelpRequestedException)
{
    Console.WriteLine(HakodOptions.Usage);
    return 0;
}
catch (HakoException e)
{
    Console.Error.WriteLine($"hakod: {e.Message}");
    foreach (var error in e.Errors ?? [])
    {
        Console.Error.WriteLine($"  - {error}");
    }

    Console.Error.WriteLine("run 'hakod --help' for the options");
    return 2;
}

try
{
    await using var host = await HakodHost.BuildAsync(options);
    await host.RunAsync();
    return 0;
}
catch (HakoException e)
{
    Console.Error.WriteLine($"hakod: {e.Message}");
    return 1;
}
