using Npgsql;

namespace ReleaseOps.Backup;

/// <summary>The user tables whose data pg_dump writes, and their row counts (and optional row hashes).</summary>
internal static class PgTables
{
    private const string ListSql = """
        SELECT n.nspname, c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1, 2
        """;

    public static async Task<IReadOnlyList<(string Schema, string Table)>> ListAsync(NpgsqlConnection connection,
        NpgsqlTransaction? transaction, CancellationToken cancellation)
    {
        var tables = new List<(string, string)>();
        await using var command = new NpgsqlCommand(ListSql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            tables.Add((reader.GetString(0), reader.GetString(1)));
        }
        return tables;
    }

    /// <summary>
    /// Counts rows of one table; with <paramref name="checksum"/> also sums a 64-bit hash of each
    /// row's text form, which does not depend on row order (restores reorder rows).
    /// </summary>
    public static async Task<TableRowCount> CountAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        string schema, string table, bool checksum, CancellationToken cancellation)
    {
        var qualified = Quote(schema) + "." + Quote(table);
        var sql = checksum
            ? $"SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text FROM ONLY {qualified} AS t"
            : $"SELECT count(*) FROM ONLY {qualified}";
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        await reader.ReadAsync(cancellation).ConfigureAwait(false);
        return new TableRowCount(schema, table, reader.GetInt64(0), checksum ? reader.GetString(1) : null);
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
