using System.Reflection;
using System.Runtime.Loader;
using Pact.Core.Passport;

namespace Pact.Daemon.Application.Reputation;

/// <summary>
/// Loads the extra reputation providers of a plugins directory: every assembly directly in it, and each
/// subdirectory's assembly of the same name (a <c>dotnet publish</c> folder with its dependencies). Each assembly gets
/// a load context of its own, which resolves its private dependencies from beside it and shares with the daemon
/// every assembly the daemon has loaded (Pact.Core above all, so that <see cref="IReputationProvider"/> is one type).
/// </summary>
internal static class ReputationPlugins
{
    public static IReadOnlyList<IReputationProvider> Load(string directory, ILogger logger)
    {
        if (!Directory.Exists(directory)) return [];
        var providers = new List<IReputationProvider>();
        foreach (var path in Candidates(directory))
        {
            try
            {
                var assembly = new PluginLoadContext(path).LoadFromAssemblyPath(path);
                foreach (var type in assembly.GetExportedTypes().Where(IsProvider).OrderBy(t => t.FullName, StringComparer.Ordinal))
                {
                    var provider = (IReputationProvider)Activator.CreateInstance(type)!;
                    logger.LogInformation("Loaded the reputation provider {Provider} ({Type}) from {Path}", provider.Name, type.FullName, path);
                    providers.Add(provider);
                }
            }
            catch (Exception e) when (e is IOException or BadImageFormatException or ReflectionTypeLoadException or TargetInvocationException
                or TypeLoadException or MissingMethodException or NotSupportedException or UnauthorizedAccessException)
            {
                // One broken plugin must not keep the daemon, or the other providers, from starting.
                logger.LogError(e, "Could not load reputation providers from {Path}", path);
            }
        }
        return providers;
    }

    private static IEnumerable<string> Candidates(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*.dll").Order(StringComparer.Ordinal)) yield return file;
        foreach (var sub in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(sub, Path.GetFileName(sub) + ".dll");
            if (File.Exists(file)) yield return file;
        }
    }

    private static bool IsProvider(Type type) =>
        type is { IsClass: true, IsAbstract: false } && typeof(IReputationProvider).IsAssignableFrom(type) && type.GetConstructor(Type.EmptyTypes) is not null;

    private sealed class PluginLoadContext(string mainAssemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath))
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // What the daemon has is shared, never loaded a second time: a second Pact.Core would make a second IReputationProvider.
            if (Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), assemblyName))) return null;
            return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
