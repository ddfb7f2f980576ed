using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Pact.Daemon.Hosting;

/// <summary>
/// Settings bound from configuration and checked when the host starts (<c>ValidateOnStart</c>): a bad value stops the
/// daemon before it opens anything, with a line that names the setting as the operator wrote it
/// ("Pact:Limits:MaxBodyBytes must be at least 1."), which <see cref="DaemonCommandLine.Explain"/> prints.
/// </summary>
public static class Settings
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="section"/> and refuses at start what its data annotations, or
    /// its <see cref="IValidatableObject.Validate"/>, reject; members marked <see cref="ValidateObjectMembersAttribute"/>
    /// are checked too. Messages say <c>{0}</c> where the setting's name goes.
    /// </summary>
    public static OptionsBuilder<T> AddPactSettings<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new SettingsValidator<T>(section));
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>A section as configured, for the few choices made while services are registered (it is checked at start like the rest).</summary>
    public static T Read<T>(IConfiguration configuration, string section) where T : class, new() =>
        configuration.GetSection(section).Get<T>() ?? new T();
}

/// <summary>Data annotations and <see cref="IValidatableObject"/>, each failure named by its configuration key.</summary>
internal sealed class SettingsValidator<T>(string section) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = new List<string>();
        Collect(options, section, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Collect(object options, string path, List<string> failures)
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            var key = path + ":" + property.Name;
            var value = property.GetValue(options);
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateProperty(value, new ValidationContext(options) { MemberName = property.Name, DisplayName = key }, results))
                failures.AddRange(results.Select(r => r.ErrorMessage ?? key + " is not valid."));
            if (value is not null && property.IsDefined(typeof(ValidateObjectMembersAttribute))) Collect(value, key, failures);
        }
        if (options is IValidatableObject validatable)
        {
            foreach (var result in validatable.Validate(new ValidationContext(options)))
            {
                var key = result.MemberNames.FirstOrDefault() is { } member ? path + ":" + member : path;
                failures.Add((result.ErrorMessage ?? "{0} is not valid.").Replace("{0}", key, StringComparison.Ordinal));
            }
        }
    }
}
