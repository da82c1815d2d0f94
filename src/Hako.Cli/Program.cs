using Hako.Cli;

return await HakoCli.RunAsync(args, CliEnvironment.FromConsole()).ConfigureAwait(false);
