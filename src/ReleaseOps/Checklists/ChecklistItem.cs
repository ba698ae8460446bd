namespace ReleaseOps.Checklists;

/// <summary>How an item is written in the team's Markdown.</summary>
public enum ChecklistItemKind
{
    /// <summary>A task-list box: <c>- [ ] Rate limiting enabled</c>.</summary>
    Box,
    /// <summary>A numbered step (<c>1. Freeze code changes</c>), or a heading that names one (<c>#### Step 2: ...</c>).</summary>
    ProcedureStep,
    /// <summary>A line that waits for a signature: <c>Deployment Lead: ______ Date: ______</c>.</summary>
    SignOff,
    /// <summary>A <c>□</c> line inside a code block.</summary>
    CodeBlockBox,
}

/// <summary>
/// One thing a team's checklist asks for, as written in its Markdown file. <see cref="Id"/> is made
/// of the file name, the section path and the normalised text, so reordering items or rewording
/// other items does not change it; plans bind items by it (or by a text match).
/// </summary>
public sealed record ChecklistItem
{
    public required string Id { get; init; }
    /// <summary>The checklist file, as it was named when imported.</summary>
    public required string File { get; init; }
    /// <summary>1-based line of the item in <see cref="File"/>.</summary>
    public required int Line { get; init; }
    public required ChecklistItemKind Kind { get; init; }
    /// <summary>The headings above the item, outermost first, without the document's title.</summary>
    public required IReadOnlyList<string> Section { get; init; }
    /// <summary>The item's text without Markdown markup.</summary>
    public required string Text { get; init; }
    /// <summary>The item this one is nested under (a box inside a box, a sign-off under "Technical Sign-Off").</summary>
    public string? ParentId { get; init; }
    /// <summary>True when the box is ticked in the file (<c>[x]</c>); informational only.</summary>
    public bool Checked { get; init; }
    /// <summary>For sign-off lines: the role that signs (<c>Deployment Lead</c>).</summary>
    public string? Role { get; init; }
    /// <summary>Plain bullets written under the item: what it consists of.</summary>
    public IReadOnlyList<string> Details { get; init; } = Array.Empty<string>();

    /// <summary><c>file:line</c>, for messages.</summary>
    public string Location => $"{File}:{Line}";

    public string SectionPath => string.Join(" > ", Section);

    public override string ToString() => $"{Location} {Kind} {Text}";
}

/// <summary>One imported checklist file and every item found in it, in document order.</summary>
public sealed record Checklist
{
    public required string File { get; init; }
    /// <summary>The document's title (its first level-1 heading), if any.</summary>
    public string? Title { get; init; }
    /// <summary>SHA-256 of the file's bytes, hex.</summary>
    public required string Sha256 { get; init; }
    public required IReadOnlyList<ChecklistItem> Items { get; init; }
    /// <summary>True when the file was UTF-8 that had been read once as Mac OS Roman and saved again, and was repaired on import.</summary>
    public bool EncodingRepaired { get; init; }

    public override string ToString() => $"{File}: {Items.Count} items";
}
