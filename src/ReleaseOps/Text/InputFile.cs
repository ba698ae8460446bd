using System.Runtime.InteropServices;
using System.Text;

namespace ReleaseOps.Text;

/// <summary>What a path names, as the file system says (a FIFO or a device is not a file to read a plan from).</summary>
public enum InputFileKind
{
    Missing,
    Regular,
    Directory,
    Device,
    Fifo,
    Socket,
    Other,
}

/// <summary>
/// Reading an input file an operator names (a plan, a backup manifest) without being fooled by what it is: the kind of
/// the path is read first (<c>statx</c> on Linux), so a directory, a device or a FIFO is refused without opening it (a
/// FIFO would block the open, /dev/zero would never end), and the text is read up to a bound.
/// </summary>
public static class InputFile
{
    /// <summary>What <paramref name="path"/> names, following symbolic links.</summary>
    public static InputFileKind KindOf(string path)
    {
        if (string.IsNullOrEmpty(path)) return InputFileKind.Missing;
        if (OperatingSystem.IsLinux())
        {
            var buffer = new byte[256];
            if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
            {
                return Directory.Exists(path) ? InputFileKind.Directory : File.Exists(path) ? InputFileKind.Other : InputFileKind.Missing;
            }
            return (BitConverter.ToUInt16(buffer, 28) & 0xF000) switch
            {
                0x8000 => InputFileKind.Regular,
                0x4000 => InputFileKind.Directory,
                0x2000 or 0x6000 => InputFileKind.Device,
                0x1000 => InputFileKind.Fifo,
                0xC000 => InputFileKind.Socket,
                _ => InputFileKind.Other,
            };
        }
        return Directory.Exists(path) ? InputFileKind.Directory : File.Exists(path) ? InputFileKind.Regular : InputFileKind.Missing;
    }

    /// <summary>"a directory", "a device", "a FIFO (named pipe)"... for messages.</summary>
    public static string Describe(InputFileKind kind) => kind switch
    {
        InputFileKind.Missing => "missing",
        InputFileKind.Regular => "a file",
        InputFileKind.Directory => "a directory",
        InputFileKind.Device => "a device",
        InputFileKind.Fifo => "a FIFO (named pipe)",
        InputFileKind.Socket => "a socket",
        _ => "not a regular file",
    };

    /// <summary>The text of a regular file (UTF-8), or null when it is longer than <paramref name="maxBytes"/> (only that much is read).</summary>
    public static async Task<string?> ReadAllTextAsync(string path, long maxBytes, CancellationToken cancellation)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
        var buffer = new byte[Math.Min(maxBytes + 1, 1 << 16)];
        using var kept = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
        {
            kept.Write(buffer, 0, read);
            if (kept.Length > maxBytes) return null;
        }
        kept.Position = 0;
        using var reader = new StreamReader(kept, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(cancellation).ConfigureAwait(false);
    }

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
