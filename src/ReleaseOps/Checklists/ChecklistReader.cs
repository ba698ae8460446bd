using System.Security.Cryptography;
using System.Text;
using Markdig;
using Markdig.Extensions.TaskLists;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using ReleaseOps.Errors;

namespace ReleaseOps.Checklists;

/// <summary>
/// Reads a team's Markdown checklist (CommonMark with task lists, parsed by Markdig) into
/// <see cref="ChecklistItem"/> records. Items are: task-list boxes at any depth; numbered list
/// items and headings of the form "Step N: ..." (procedure steps); lines that wait for a signature
/// ("Role: ______", in paragraphs, lists or code blocks); and lines starting with a box glyph
/// (□, ☐) inside code blocks. Plain bullets under an item are its details; plain bullets
/// elsewhere, tables and prose are not items.
/// </summary>
public static class ChecklistReader
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseTaskLists().UsePreciseSourceLocation().Build();

    /// <summary>Reads the file at <paramref name="path"/>; items name it as <paramref name="displayName"/> (default: the path as given).</summary>
    public static async Task<Checklist> ReadAsync(string path, string? displayName = null, CancellationToken cancellation = default)
    {
        byte[] bytes;
        // What the path names is read first: a directory, a device or a FIFO is refused without opening it.
        var kind = Text.InputFile.KindOf(path);
        if (kind is not (Text.InputFileKind.Regular or Text.InputFileKind.Missing))
        {
            throw new ReleaseOpsException("ChecklistNotAFile", FailureKind.InvalidArgument,
                $"Checklist {path} is {Text.InputFile.Describe(kind)}, not a file; nothing was read.", path, "Name the checklist's Markdown file.");
        }
        try
        {
            bytes = kind == Text.InputFileKind.Missing
                ? throw new FileNotFoundException(string.IsNullOrEmpty(path) ? "The path is empty." : path)
                : await File.ReadAllBytesAsync(path, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ReleaseOpsException("ChecklistNotFound", FailureKind.NotFound,
                string.IsNullOrEmpty(path) ? "No checklist was named (the path is empty)." : $"Checklist {path} does not exist.", path,
                "Check the path; checklists are Markdown files such as examples/checklists/seeds/production-deployment-checklist.md.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ReleaseOpsException("ChecklistAccessDenied", FailureKind.PermissionDenied, $"Checklist {path} cannot be read: access denied.",
                path, "Give the account running ReleaseOps read access to the file.", ex);
        }
        return Parse(Decode(bytes), displayName ?? path, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant());
    }

    /// <summary>Reads checklist text; <paramref name="file"/> is the name items carry.</summary>
    public static Checklist Parse(string text, string file, string? sha256 = null)
    {
        var repairedText = ChecklistText.RepairMacRomanMojibake(text, out var repaired);
        Markdig.Syntax.MarkdownDocument document;
        try
        {
            document = Markdown.Parse(repairedText, Pipeline);
        }
        catch (ArgumentException ex)
        {
            // Markdig's own bound on nesting: a checklist is lists and headings a few levels deep.
            throw new ReleaseOpsException("ChecklistInvalid", FailureKind.InvalidConfiguration, $"Checklist {file} cannot be read: {ex.Message}", file,
                "A checklist is Markdown headings, lists and task boxes; check that this is the right file.", ex);
        }
        var collector = new Collector(file);
        foreach (var block in document)
        {
            collector.Visit(block, parent: null);
        }
        return new Checklist
        {
            File = file,
            Title = collector.Title,
            Sha256 = sha256 ?? Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant(),
            Items = collector.Build(),
            EncodingRepaired = repaired,
        };
    }

    private static string Decode(byte[] bytes)
    {
        var text = new UTF8Encoding(false).GetString(bytes);
        return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
    }

    /// <summary>Walks the Markdown blocks in document order, keeping the heading path and the enclosing item.</summary>
    private sealed class Collector
    {
        private readonly string _file;
        private readonly string _fileKey;
        private readonly List<(int Level, string Text)> _headings = new();
        private readonly List<ChecklistItem> _items = new();
        private readonly Dictionary<string, List<string>> _details = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private bool _sawHeading;

        public Collector(string file)
        {
            _file = file;
            _fileKey = ChecklistText.Slug(Path.GetFileNameWithoutExtension(file)) is { Length: > 0 } key ? key : "checklist";
        }

        public string? Title { get; private set; }

        public IReadOnlyList<ChecklistItem> Build() =>
            _items.Select(i => _details.TryGetValue(i.Id, out var details) ? i with { Details = details.ToArray() } : i).ToArray();

        public void Visit(Block block, ChecklistItem? parent)
        {
            switch (block)
            {
                case HeadingBlock heading:
                    Heading(heading);
                    break;
                case ListBlock list:
                    foreach (var entry in list.OfType<ListItemBlock>())
                    {
                        ListEntry(entry, list.IsOrdered, parent);
                    }
                    break;
                case CodeBlock code:
                    CodeLines(code, parent);
                    break;
                case ParagraphBlock paragraph:
                    foreach (var (line, text) in Lines(paragraph.Inline))
                    {
                        if (ChecklistText.SignOffRole(text) is { } role)
                        {
                            Add(ChecklistItemKind.SignOff, text, line, parent, role: role);
                        }
                    }
                    break;
                case ContainerBlock container:
                    foreach (var child in container)
                    {
                        Visit(child, parent);
                    }
                    break;
            }
        }

        private void Heading(HeadingBlock heading)
        {
            var text = ChecklistText.Tidy(Plain(heading.Inline));
            if (heading.Level == 1 && !_sawHeading)
            {
                Title = text;
                _sawHeading = true;
                return;
            }
            _sawHeading = true;
            _headings.RemoveAll(h => h.Level >= heading.Level);
            if (ChecklistText.StepTitle(text) is not null)
            {
                Add(ChecklistItemKind.ProcedureStep, text, heading.Line + 1, parent: null);
            }
            _headings.Add((heading.Level, text));
        }

        private void ListEntry(ListItemBlock entry, bool ordered, ChecklistItem? parent)
        {
            var first = entry.Count > 0 ? entry[0] as ParagraphBlock : null;
            var box = first?.Inline?.FirstChild as TaskList;
            var text = ChecklistText.Tidy(first is null ? "" : Plain(first.Inline));
            var role = ChecklistText.SignOffRole(text);
            ChecklistItem? item = null;
            if (text.Length > 0 && (box is not null || ordered || role is not null))
            {
                var kind = role is not null ? ChecklistItemKind.SignOff : box is not null ? ChecklistItemKind.Box : ChecklistItemKind.ProcedureStep;
                item = Add(kind, text, entry.Line + 1, parent, box?.Checked ?? false, role);
            }
            else if (parent is not null && text.Length > 0)
            {
                Detail(parent, text);
            }
            foreach (var child in entry.Skip(first is null ? 0 : 1))
            {
                Visit(child, item ?? parent);
            }
        }

        private void CodeLines(CodeBlock code, ChecklistItem? parent)
        {
            var lines = code.Lines;
            for (var i = 0; i < lines.Count; i++)
            {
                var line = lines.Lines[i];
                var text = line.Slice.ToString();
                if (ChecklistText.BoxedLine(text) is { Length: > 0 } boxed)
                {
                    Add(ChecklistItemKind.CodeBlockBox, boxed, line.Line + 1, parent);
                }
                else if (ChecklistText.SignOffRole(text) is { } role)
                {
                    Add(ChecklistItemKind.SignOff, text, line.Line + 1, parent, role: role);
                }
            }
        }

        private ChecklistItem Add(ChecklistItemKind kind, string text, int line, ChecklistItem? parent, bool ticked = false, string? role = null)
        {
            var tidy = ChecklistText.Tidy(text);
            var section = _headings.Select(h => h.Text).ToArray();
            var item = new ChecklistItem
            {
                Id = NewId(section, kind == ChecklistItemKind.SignOff ? "sign-off " + role : ChecklistText.WithoutNumbering(tidy)),
                File = _file,
                Line = line,
                Kind = kind,
                Section = section,
                Text = tidy,
                ParentId = parent?.Id,
                Checked = ticked,
                Role = role,
            };
            _items.Add(item);
            return item;
        }

        private void Detail(ChecklistItem item, string text)
        {
            if (!_details.TryGetValue(item.Id, out var list))
            {
                _details[item.Id] = list = new List<string>();
            }
            list.Add(text);
        }

        private string NewId(IEnumerable<string> section, string text)
        {
            var parts = section.Select(s => ChecklistText.Slug(ChecklistText.WithoutNumbering(s))).Where(s => s.Length > 0).Prepend(_fileKey)
                .Append(ChecklistText.Slug(text) is { Length: > 0 } slug ? slug : "item");
            var id = string.Join("/", parts);
            var seen = _ids.TryGetValue(id, out var count) ? count + 1 : 1;
            _ids[id] = seen;
            return seen == 1 ? id : $"{id}-{seen}";
        }

        /// <summary>The plain text of inline content, markup dropped, line breaks as spaces.</summary>
        private static string Plain(ContainerInline? inline) =>
            string.Join(" ", Lines(inline).Select(l => l.Text));

        /// <summary>The plain text of each source line of inline content, with its 1-based line number.</summary>
        private static IEnumerable<(int Line, string Text)> Lines(ContainerInline? inline)
        {
            if (inline is null)
            {
                yield break;
            }
            var builder = new StringBuilder();
            var line = -1;
            foreach (var leaf in Leaves(inline))
            {
                if (leaf is LineBreakInline)
                {
                    if (builder.Length > 0) yield return (line + 1, builder.ToString());
                    builder.Clear();
                    line = -1;
                    continue;
                }
                if (line < 0) line = leaf.Line;
                builder.Append(leaf switch
                {
                    LiteralInline literal => literal.Content.ToString(),
                    CodeInline code => code.Content,
                    AutolinkInline link => link.Url,
                    HtmlEntityInline entity => entity.Transcoded.ToString(),
                    _ => "",
                });
            }
            if (builder.Length > 0) yield return (line + 1, builder.ToString());
        }

        private static IEnumerable<Inline> Leaves(ContainerInline container)
        {
            foreach (var inline in container)
            {
                if (inline is TaskList or HtmlInline)
                {
                    continue;
                }
                if (inline is ContainerInline nested and not LinkInline { IsImage: true })
                {
                    foreach (var leaf in Leaves(nested)) yield return leaf;
                }
                else
                {
                    yield return inline;
                }
            }
        }
    }
}
