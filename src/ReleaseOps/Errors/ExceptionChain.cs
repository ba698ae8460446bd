namespace ReleaseOps.Errors;

/// <summary>Reading what caused an exception a library threw, to word it as a typed error.</summary>
public static class ExceptionChain
{
    /// <summary>The first exception of type <typeparamref name="T"/> in the chain of inner exceptions (through aggregates too), or null.</summary>
    public static T? FindInner<T>(this Exception? exception) where T : Exception
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
            if (ex is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(FindInner<T>).FirstOrDefault(f => f is not null);
            }
        }
        return null;
    }
}
