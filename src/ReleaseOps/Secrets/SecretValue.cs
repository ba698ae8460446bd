using System.Text;

namespace ReleaseOps.Secrets;

/// <summary>
/// A resolved secret (password, token, key). It never shows its value through ToString,
/// string formatting, serialisation or a debugger display; code that needs the value asks for it
/// explicitly with <see cref="Reveal"/> at the last moment (a connection string builder, a child
/// process environment, an AUTH command) and does not keep the result.
/// </summary>
[System.Diagnostics.DebuggerDisplay("********")]
public sealed class SecretValue : IEquatable<SecretValue>
{
    public const string Mask = "********";
    private readonly char[] _value;

    public SecretValue(ReadOnlySpan<char> value)
    {
        _value = value.ToArray();
    }

    /// <summary>Where the secret came from (for example <c>env:PGPASSWORD</c>); never the value.</summary>
    public string Source { get; init; } = "inline";

    public int Length => _value.Length;

    public bool IsEmpty => _value.Length == 0;

    /// <summary>The clear text. Use it at the point of use only; never log or store it.</summary>
    public string Reveal() => new(_value);

    /// <summary>The clear text as UTF-8 bytes, for protocols that send bytes.</summary>
    public byte[] RevealUtf8() => Encoding.UTF8.GetBytes(_value);

    public override string ToString() => Mask;

    public bool Equals(SecretValue? other) =>
        other is not null && _value.AsSpan().SequenceEqual(other._value);

    public override bool Equals(object? obj) => obj is SecretValue other && Equals(other);

    public override int GetHashCode() => _value.Length;
}
