using System.Globalization;
using System.Text;

namespace ReleaseOps.Redis;

/// <summary>
/// One RESP2 reply from a Redis server. The subtype says which kind it is; <see cref="AsString"/>
/// and friends give the usual conversions and throw <see cref="InvalidCastException"/> on a kind
/// that has no such meaning (an array as a number, for example).
/// </summary>
public abstract record RedisValue
{
    /// <summary>The reply as text: simple strings and bulk strings (UTF-8), integers in invariant form. Null for nil.</summary>
    public virtual string? AsString() => throw new InvalidCastException($"A {Kind} reply has no text value.");

    /// <summary>The reply as a 64-bit integer: integer replies, or strings that hold one.</summary>
    public virtual long AsInt64()
    {
        var text = AsString();
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new InvalidCastException($"The {Kind} reply is not an integer.");
    }

    /// <summary>The items of an array reply.</summary>
    public virtual IReadOnlyList<RedisValue> AsArray() => throw new InvalidCastException($"A {Kind} reply is not an array.");

    public bool IsNull => this is RedisNull;

    /// <summary>The RESP2 kind: SimpleString, Error, Integer, BulkString, Array or Null.</summary>
    public abstract string Kind { get; }
}

/// <summary>A simple string reply (<c>+OK</c>).</summary>
public sealed record RedisSimpleString(string Value) : RedisValue
{
    public override string Kind => "SimpleString";

    public override string AsString() => Value;

    public override string ToString() => Value;
}

/// <summary>
/// An error reply (<c>-ERR ...</c>) inside an array (for example from EXEC). A top-level error reply
/// is never returned: <see cref="RedisConnection.ExecuteAsync(string[])"/> throws <see cref="RedisCommandException"/>.
/// </summary>
public sealed record RedisErrorReply(string Message) : RedisValue
{
    public override string Kind => "Error";

    /// <summary>The first word of the message (<c>ERR</c>, <c>WRONGTYPE</c>, <c>NOAUTH</c>...).</summary>
    public string Code => Message.Split(' ', 2)[0];

    public override string ToString() => Message;
}

/// <summary>An integer reply (<c>:42</c>).</summary>
public sealed record RedisInteger(long Value) : RedisValue
{
    public override string Kind => "Integer";

    public override string AsString() => Value.ToString(CultureInfo.InvariantCulture);

    public override long AsInt64() => Value;

    public override string ToString() => AsString();
}

/// <summary>A bulk string reply (<c>$5\r\nhello</c>): binary-safe bytes.</summary>
public sealed record RedisBulkString(byte[] Value) : RedisValue
{
    public override string Kind => "BulkString";

    public override string AsString() => Encoding.UTF8.GetString(Value);

    public override string ToString() => AsString();

    public bool Equals(RedisBulkString? other) => other is not null && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode() => Value.Length;
}

/// <summary>An array reply (<c>*2\r\n...</c>).</summary>
public sealed record RedisArray(IReadOnlyList<RedisValue> Items) : RedisValue
{
    public override string Kind => "Array";

    public override IReadOnlyList<RedisValue> AsArray() => Items;

    public override string ToString() => "[" + string.Join(", ", Items) + "]";

    public bool Equals(RedisArray? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Count;
}

/// <summary>The nil reply (<c>$-1</c> or <c>*-1</c>).</summary>
public sealed record RedisNull : RedisValue
{
    public static readonly RedisNull Instance = new();

    private RedisNull()
    {
    }

    public override string Kind => "Null";

    public override string? AsString() => null;

    public override long AsInt64() => throw new InvalidCastException("A nil reply is not an integer.");

    public override string ToString() => "(nil)";
}
