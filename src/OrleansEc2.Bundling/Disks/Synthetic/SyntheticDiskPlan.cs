using System.Globalization;

namespace OrleansEc2.Bundling.Disks.Synthetic;

/// <summary>
/// The history of a synthetic disk, played on an in-memory bitmap with the same first-fit allocation as
/// <see cref="DiskImage"/>: setup installs the system and leaves big leftovers (downloads, backups) that it then
/// deletes; updates land in the holes (so they fragment) together with temporary files and more downloads that are
/// deleted again; logs grow by being rewritten. What remains: live files, garbage from the deleted ones in the
/// holes, and never-written (zero) blocks at the end.
/// </summary>
internal sealed class SyntheticDiskPlan
{
    private readonly DiskLayout _layout;
    private readonly BlockBitmap _bitmap;
    private readonly List<PlannedFile> _files = [];
    private readonly HashSet<string> _paths;
    private readonly Dictionary<string, int> _directories;
    private readonly int[] _owner;
    private readonly int[] _ownerIndex;
    private readonly long _sizeCap;
    private SeededRandom _random;
    private int _recordsInUse;

    private SyntheticDiskPlan(DiskLayout layout, ulong seed)
    {
        _layout = layout;
        _random = new SeededRandom(seed);
        _bitmap = new BlockBitmap(layout.BlockCount, layout.BitmapBlockCount);
        _bitmap.Set(new Extent(0, layout.DataBlock));
        _owner = new int[layout.DataBlockCount];
        _ownerIndex = new int[layout.DataBlockCount];
        Array.Fill(_owner, -1);
        var comparer = GuestPath.Comparer(layout.Platform);
        _paths = new HashSet<string>(comparer);
        _directories = new Dictionary<string, int>(comparer);
        _sizeCap = Math.Max(64 * 1024, DataBytes / 40);
    }

    private delegate string PathMaker(ref SeededRandom random);

    private sealed record Family(PathMaker Path, ContentKind Kind, long MinSize, long MaxSize, int Weight, bool Temporary = false);

    public DiskLayout Layout => _layout;

    public BlockBitmap Bitmap => _bitmap;

    /// <summary>Every file of the history, live and deleted, indexed by id.</summary>
    public IReadOnlyList<PlannedFile> Files => _files;

    public IEnumerable<PlannedFile> LiveFiles => _files.Where(f => !f.IsDeleted);

    /// <summary>For each data block, the id of the file whose bytes it holds (live or deleted), or -1 when never written.</summary>
    public int[] Owner => _owner;

    /// <summary>For each data block, its index in that file.</summary>
    public int[] OwnerIndex => _ownerIndex;

    private long DataBytes => (long)_layout.DataBlockCount * DiskLayout.BlockSize;

    private int RecordBudget => _layout.RecordCount * 85 / 100;

    public static SyntheticDiskPlan Create(DiskLayout layout, int seed)
    {
        var plan = new SyntheticDiskPlan(layout, SeededRandom.Derive((ulong)(uint)seed, (ulong)layout.Platform + 1, (ulong)layout.Size));
        plan.Play();
        return plan;
    }

    /// <summary>File table records of the live files, in order: base record, then its extension records.</summary>
    public (byte[] Table, int HighWater) EncodeFileTable()
    {
        var entries = new List<FileEntry>();
        var next = 0;
        foreach (var file in LiveFiles)
        {
            var entry = new FileEntry(file.Path)
            {
                Length = file.Length,
                IsTemporary = file.IsTemporary,
                Extents = file.Extents,
                BaseRecord = next++,
            };
            for (var i = FileTable.ExtensionRecordsFor(file.Extents.Count); i > 0; i--)
            {
                entry.ExtensionRecords.Add(next++);
            }

            entries.Add(entry);
        }

        if (next > _layout.RecordCount)
        {
            throw new InvalidOperationException($"The synthetic disk needs {next} file records; it has {_layout.RecordCount}.");
        }

        var table = new byte[next * DiskLayout.RecordSize];
        foreach (var entry in entries)
        {
            FileTable.Encode(entry, (index, record) => record.CopyTo(table.AsSpan(index * DiskLayout.RecordSize)));
        }

        return (table, next);
    }

    private void Play()
    {
        var windows = _layout.Platform == DiskPlatform.Windows;
        var blocks = (long)_layout.DataBlockCount;

        // Setup: the system, interleaved with leftovers deleted at its end.
        var installed = blocks * (40 + _random.Next(6)) / 100;
        var leftovers = blocks * (36 + _random.Next(6)) / 100;
        var setupLeftovers = new List<PlannedFile>();
        foreach (var (path, kind, share, fixedSize) in windows ? WindowsFixedFiles() : LinuxFixedFiles())
        {
            var size = fixedSize > 0 ? Math.Min(fixedSize, _sizeCap) : Math.Max(8 * 1024, DataBytes * share / 1000 / 1024 * 1024);
            installed -= Create(path, kind, size, false)?.BlockCount ?? 0;
        }

        Interleave(windows ? WindowsSystem : LinuxSystem, installed, windows ? WindowsLeftovers : LinuxLeftovers, leftovers, setupLeftovers, 0);
        setupLeftovers.ForEach(Delete);

        // Updates and use: logs grow, updates and temporary files fill holes, more downloads come and go.
        foreach (var log in LiveFiles.Where(f => f.Kind is ContentKind.WindowsLog or ContentKind.Syslog).Take(3).ToList())
        {
            Delete(log);
            Create(log.Path, log.Kind, log.Length * (120 + _random.Next(80)) / 100, false);
        }

        var downloads = new List<PlannedFile>();
        var updates = blocks * (9 + _random.Next(4)) / 100;
        var temporary = blocks * (2 + _random.Next(3)) / 100;
        Interleave(windows ? WindowsUpdates : LinuxUpdates, updates, windows ? WindowsLeftovers : LinuxLeftovers, blocks * (5 + _random.Next(3)) / 100, downloads, 0);
        Interleave(windows ? WindowsTemporary : LinuxTemporary, temporary, [], 0, [], 3);
        downloads.ForEach(Delete);
    }

    /// <summary>
    /// Creates files of <paramref name="keep"/> families until <paramref name="keepBlocks"/> are used, interleaved
    /// with files of <paramref name="doomed"/> families (collected in <paramref name="doomedFiles"/>) until
    /// <paramref name="doomedBlocks"/>; at least <paramref name="minimumKept"/> kept files even on a tiny disk.
    /// </summary>
    private void Interleave(Family[] keep, long keepBlocks, Family[] doomed, long doomedBlocks, List<PlannedFile> doomedFiles, int minimumKept)
    {
        long kept = 0, dropped = 0;
        var keptCount = 0;
        for (var failures = 0; failures < 8 && _recordsInUse < RecordBudget;)
        {
            var wantKeep = kept < keepBlocks || keptCount < minimumKept;
            var wantDoomed = dropped < doomedBlocks;
            if (!wantKeep && !wantDoomed)
            {
                return;
            }

            var pickDoomed = wantDoomed && (!wantKeep || dropped * keepBlocks < kept * doomedBlocks);
            var family = Pick(pickDoomed ? doomed : keep);
            var size = _random.LogUniform(family.MinSize, Math.Max(family.MinSize, Math.Min(family.MaxSize, _sizeCap)));
            var file = CreateUnique(family, size);
            if (file is null)
            {
                failures++;
                continue;
            }

            if (pickDoomed)
            {
                dropped += file.BlockCount;
                doomedFiles.Add(file);
            }
            else
            {
                kept += file.BlockCount;
                keptCount++;
            }
        }
    }

    private Family Pick(Family[] families)
    {
        var roll = _random.Next(families.Sum(f => f.Weight));
        foreach (var family in families)
        {
            roll -= family.Weight;
            if (roll < 0)
            {
                return family;
            }
        }

        return families[^1];
    }

    private PlannedFile? CreateUnique(Family family, long size)
    {
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var path = family.Path(ref _random);
            if (CanCreate(path))
            {
                return Create(path, family.Kind, size, family.Temporary);
            }
        }

        return null;
    }

    private bool CanCreate(string path) =>
        !_paths.Contains(path) && !_directories.ContainsKey(path)
        && !GuestPath.Parents(path, _layout.Platform).Any(_paths.Contains);

    private PlannedFile? Create(string path, ContentKind kind, long size, bool temporary)
    {
        path = GuestPath.Normalize(path, _layout.Platform);
        var file = new PlannedFile(_files.Count, path, kind, size, temporary);
        var extents = _bitmap.FirstFit(file.BlockCount, _layout.DataBlock);
        if (extents is null || !CanCreate(path))
        {
            return null;
        }

        var index = 0;
        foreach (var extent in extents)
        {
            _bitmap.Set(extent);
            for (var b = extent.Start; b < extent.End; b++)
            {
                _owner[b - _layout.DataBlock] = file.Id;
                _ownerIndex[b - _layout.DataBlock] = index++;
            }
        }

        file.Extents = extents;
        _recordsInUse += 1 + FileTable.ExtensionRecordsFor(extents.Count);
        _files.Add(file);
        _paths.Add(path);
        foreach (var parent in GuestPath.Parents(path, _layout.Platform))
        {
            _directories[parent] = _directories.GetValueOrDefault(parent) + 1;
        }

        return file;
    }

    /// <summary>Deletes a file: its blocks are free again but keep its bytes (its owner stays until overwritten).</summary>
    private void Delete(PlannedFile file)
    {
        file.IsDeleted = true;
        file.Extents.ForEach(_bitmap.Clear);
        _recordsInUse -= 1 + FileTable.ExtensionRecordsFor(file.Extents.Count);
        _paths.Remove(file.Path);
        foreach (var parent in GuestPath.Parents(file.Path, _layout.Platform))
        {
            if (--_directories[parent] == 0)
            {
                _directories.Remove(parent);
            }
        }
    }

    private static string Hex(ref SeededRandom random, int digits)
    {
        Span<char> chars = stackalloc char[digits];
        for (var i = 0; i < digits; i++)
        {
            chars[i] = "0123456789abcdef"[random.Next(16)];
        }

        return new string(chars);
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static readonly string[] StemSuffixes = ["", "", "", "ext", "svc", "prov", "ui", "res", "core", "host", "mgr", "api", "cpl", "srv"];

    private static string Stem(ref SeededRandom random)
    {
        var suffixes = StemSuffixes;
        return ContentPools.Stems[random.Next(ContentPools.Stems.Length)] + suffixes[random.Next(suffixes.Length)]
            + (random.Chance(30) ? random.Next(2, 10).ToString(CultureInfo.InvariantCulture) : "");
    }

    private static string Component(ref SeededRandom random) => ContentPools.Components[random.Next(ContentPools.Components.Length)];

    private static string WinSxs(ref SeededRandom random) =>
        Invariant($"x86_microsoft-windows-{Component(ref random)}_31bf3856ad364e35_6.0.6001.{18000 + random.Next(3) * 145 + random.Next(40)}_none_{Hex(ref random, 16)}");

    private static string Word(ref SeededRandom random) => ContentPools.Words[random.Next(ContentPools.Words.Length)];

    private static string Kb(ref SeededRandom random) => Invariant($"kb{950000 + random.Next(9000)}");

    private static (string Path, ContentKind Kind, long SharePerMille, long FixedSize)[] WindowsFixedFiles() =>
    [
        (@"C:\pagefile.sys", ContentKind.Memory, 50, 0),
        (@"C:\Windows\System32\config\SOFTWARE", ContentKind.Hive, 20, 0),
        (@"C:\Windows\System32\config\SYSTEM", ContentKind.Hive, 8, 0),
        (@"C:\Windows\System32\config\COMPONENTS", ContentKind.Hive, 12, 0),
        (@"C:\Windows\System32\config\DEFAULT", ContentKind.Hive, 2, 0),
        (@"C:\Users\Administrator\NTUSER.DAT", ContentKind.Hive, 2, 0),
        (@"C:\Users\Default\NTUSER.DAT", ContentKind.Hive, 2, 0),
        (@"C:\Windows\Logs\CBS\CBS.log", ContentKind.WindowsLog, 8, 0),
        (@"C:\Windows\WindowsUpdate.log", ContentKind.WindowsLog, 4, 0),
        (@"C:\Windows\inf\setupapi.dev.log", ContentKind.WindowsLog, 3, 0),
        (@"C:\Windows\Panther\setupact.log", ContentKind.WindowsLog, 2, 0),
        (@"C:\Windows\SoftwareDistribution\DataStore\DataStore.edb", ContentKind.Hive, 8, 0),
        (@"C:\Windows\System32\wbem\Repository\OBJECTS.DATA", ContentKind.Hive, 4, 0),
        (@"C:\Program Files\Amazon\Ec2ConfigService\Ec2Config.exe", ContentKind.PortableExecutable, 0, 311296),
        (@"C:\Program Files\Amazon\Ec2ConfigService\Ec2ConfigService.dll", ContentKind.PortableExecutable, 0, 94208),
        (@"C:\Program Files\Amazon\Ec2ConfigService\Settings\config.xml", ContentKind.Manifest, 0, 6144),
        (@"C:\Program Files\Amazon\Ec2ConfigService\Logs\Ec2ConfigLog.txt", ContentKind.WindowsLog, 0, 20480),
    ];

    private static (string Path, ContentKind Kind, long SharePerMille, long FixedSize)[] LinuxFixedFiles() =>
    [
        ("/boot/vmlinuz-2.6.21.7-2.fc8xen", ContentKind.Compressed, 0, 1_900_544),
        ("/boot/initrd-2.6.21.7-2.fc8xen.img", ContentKind.Compressed, 0, 1_183_744),
        ("/var/lib/rpm/Packages", ContentKind.Hive, 30, 0),
        ("/var/lib/rpm/Basenames", ContentKind.Hive, 6, 0),
        ("/var/log/messages", ContentKind.Syslog, 6, 0),
        ("/var/log/secure", ContentKind.Syslog, 2, 0),
        ("/var/log/boot.log", ContentKind.Syslog, 1, 0),
        ("/etc/fstab", ContentKind.LinuxConfig, 0, 512),
        ("/etc/ssh/sshd_config", ContentKind.LinuxConfig, 0, 3072),
    ];

    private static readonly Family[] WindowsSystem =
    [
        new((ref SeededRandom r) => $@"C:\Windows\winsxs\{WinSxs(ref r)}\{Stem(ref r)}.{(r.Chance(80) ? "dll" : r.Chance(50) ? "exe" : "sys")}", ContentKind.PortableExecutable, 16 * 1024, 2 << 20, 30),
        new((ref SeededRandom r) => $@"C:\Windows\winsxs\Manifests\{WinSxs(ref r)}.manifest", ContentKind.Manifest, 1024, 24 * 1024, 5),
        new((ref SeededRandom r) => $@"C:\Windows\System32\{Stem(ref r)}.{(r.Chance(85) ? "dll" : "exe")}", ContentKind.PortableExecutable, 8 * 1024, 3 << 20, 14),
        new((ref SeededRandom r) => $@"C:\Windows\System32\drivers\{Stem(ref r)}.sys", ContentKind.PortableExecutable, 8 * 1024, 512 * 1024, 3),
        new((ref SeededRandom r) => $@"C:\Windows\System32\en-US\{Stem(ref r)}.dll.mui", ContentKind.PortableExecutable, 4 * 1024, 256 * 1024, 2),
        new((ref SeededRandom r) => $@"C:\Windows\inf\{(r.Chance(30) ? Invariant($"oem{r.Next(100)}") : Stem(ref r))}.inf", ContentKind.Inf, 2 * 1024, 64 * 1024, 3),
        new((ref SeededRandom r) => $@"C:\Windows\inf\{Stem(ref r)}.PNF", ContentKind.Hive, 4 * 1024, 64 * 1024, 1),
        new((ref SeededRandom r) => $@"C:\Windows\Fonts\{Word(ref r)}{r.Next(100)}.ttf", ContentKind.Compressed, 32 * 1024, 1 << 20, 3),
        new((ref SeededRandom r) => $@"C:\Windows\System32\catroot\{{F750E6C3-38EE-11D1-85E5-00C04FC295EE}}\Package_for_{Kb(ref r).ToUpperInvariant()}~31bf3856ad364e35~x86~~6.0.1.{r.Next(1, 9)}.cat", ContentKind.Compressed, 2 * 1024, 128 * 1024, 2),
        new((ref SeededRandom r) => $@"C:\Windows\Help\{Word(ref r)}{Stem(ref r)}.chm", ContentKind.Compressed, 32 * 1024, 1 << 20, 1),
        new((ref SeededRandom r) => $@"C:\Windows\Web\Wallpaper\img{r.Next(1000)}.jpg", ContentKind.Compressed, 100 * 1024, 2 << 20, 1),
        new((ref SeededRandom r) => $@"C:\Windows\Installer\{Hex(ref r, 5)}.msi", ContentKind.Compressed, 100 * 1024, 8 << 20, 3),
        new((ref SeededRandom r) => $@"C:\Program Files\{(r.Chance(50) ? "Internet Explorer" : r.Chance(50) ? @"Common Files\System\ado" : "Windows Mail")}\{Stem(ref r)}.dll", ContentKind.PortableExecutable, 8 * 1024, 2 << 20, 6),
        new((ref SeededRandom r) => $@"C:\Windows\System32\{Stem(ref r)}.xml", ContentKind.Manifest, 1024, 32 * 1024, 1),
        new((ref SeededRandom r) => $@"C:\Windows\System32\{Stem(ref r)}.ini", ContentKind.Inf, 1024, 16 * 1024, 1),
    ];

    private static readonly Family[] WindowsLeftovers =
    [
        new((ref SeededRandom r) => $@"C:\Windows\SoftwareDistribution\Download\{Hex(ref r, 32)}\windows6.0-{Kb(ref r)}-x86.cab", ContentKind.Compressed, 100 * 1024, 16 << 20, 50),
        new((ref SeededRandom r) => $@"C:\Windows\winsxs\Backup\{WinSxs(ref r)}_{Stem(ref r)}.dll", ContentKind.PortableExecutable, 16 * 1024, 2 << 20, 25),
        new((ref SeededRandom r) => $@"C:\Windows\Temp\{Hex(ref r, 8)}.log", ContentKind.WindowsLog, 8 * 1024, 1 << 20, 10),
        new((ref SeededRandom r) => $@"C:\$WINDOWS.~LS\Packages\{Hex(ref r, 8)}.msu", ContentKind.Compressed, 1 << 20, 16 << 20, 15),
    ];

    private static readonly Family[] WindowsUpdates =
    [
        new((ref SeededRandom r) => $@"C:\Windows\winsxs\{WinSxs(ref r)}\{Stem(ref r)}.dll", ContentKind.PortableExecutable, 16 * 1024, 2 << 20, 50),
        new((ref SeededRandom r) => $@"C:\Windows\winsxs\Manifests\{WinSxs(ref r)}.manifest", ContentKind.Manifest, 1024, 24 * 1024, 8),
        new((ref SeededRandom r) => $@"C:\Windows\System32\{Stem(ref r)}.dll", ContentKind.PortableExecutable, 8 * 1024, 3 << 20, 10),
        new((ref SeededRandom r) => $@"C:\Windows\System32\catroot\{{F750E6C3-38EE-11D1-85E5-00C04FC295EE}}\Package_for_{Kb(ref r).ToUpperInvariant()}~31bf3856ad364e35~x86~~6.0.1.{r.Next(1, 9)}.cat", ContentKind.Compressed, 2 * 1024, 128 * 1024, 4),
    ];

    private static readonly Family[] WindowsTemporary =
    [
        new((ref SeededRandom r) => $@"C:\Windows\Temp\{(r.Chance(50) ? "~DF" : "MSI")}{Hex(ref r, 4).ToUpperInvariant()}.tmp", ContentKind.Compressed, 4 * 1024, 4 << 20, 8, true),
        new((ref SeededRandom r) => $@"C:\Windows\Temp\CBS{Hex(ref r, 6)}.log", ContentKind.WindowsLog, 4 * 1024, 1 << 20, 4, true),
        new((ref SeededRandom r) => $@"C:\Users\Administrator\AppData\Local\Temp\{Word(ref r)}{Hex(ref r, 4)}.tmp", ContentKind.PortableExecutable, 4 * 1024, 2 << 20, 6, true),
        new((ref SeededRandom r) => $@"C:\Windows\SoftwareDistribution\Download\{Hex(ref r, 32)}\windows6.0-{Kb(ref r)}-x86.cab", ContentKind.Compressed, 64 * 1024, 8 << 20, 8, true),
        new((ref SeededRandom r) => $@"C:\Users\Administrator\AppData\Local\Microsoft\Windows\Temporary Internet Files\Content.IE5\{Hex(ref r, 8).ToUpperInvariant()}\{Word(ref r)}[1].htm", ContentKind.Manifest, 2 * 1024, 128 * 1024, 4, true),
    ];

    private static readonly Family[] LinuxSystem =
    [
        new((ref SeededRandom r) => $"/usr/lib/lib{Stem(ref r)}.so.{r.Next(0, 7)}", ContentKind.Elf, 16 * 1024, 2 << 20, 35),
        new((ref SeededRandom r) => $"/usr/bin/{Stem(ref r)}", ContentKind.Elf, 8 * 1024, 1 << 20, 12),
        new((ref SeededRandom r) => $"/usr/sbin/{Stem(ref r)}", ContentKind.Elf, 8 * 1024, 1 << 20, 4),
        new((ref SeededRandom r) => $"/lib/modules/2.6.21.7-2.fc8xen/kernel/drivers/{Word(ref r)}/{Stem(ref r)}.ko", ContentKind.Elf, 8 * 1024, 512 * 1024, 8),
        new((ref SeededRandom r) => $"/usr/share/doc/{Stem(ref r)}-{r.Next(1, 5)}.{r.Next(0, 20)}/ChangeLog", ContentKind.LinuxConfig, 2 * 1024, 256 * 1024, 6),
        new((ref SeededRandom r) => Invariant($"/usr/share/man/man{r.Next(1, 9)}/{Stem(ref r)}.{r.Next(1, 9)}.gz"), ContentKind.Compressed, 1024, 64 * 1024, 5),
        new((ref SeededRandom r) => $"/usr/share/locale/{(r.Chance(50) ? "de" : "fr")}/LC_MESSAGES/{Stem(ref r)}.mo", ContentKind.Compressed, 4 * 1024, 256 * 1024, 4),
        new((ref SeededRandom r) => $"/etc/{Stem(ref r)}.conf", ContentKind.LinuxConfig, 256, 16 * 1024, 1),
        new((ref SeededRandom r) => $"/usr/share/fonts/dejavu/{Word(ref r)}{r.Next(100)}.ttf", ContentKind.Compressed, 32 * 1024, 1 << 20, 3),
        new((ref SeededRandom r) => $"/usr/lib/python2.5/{Word(ref r)}/{Stem(ref r)}.py", ContentKind.LinuxConfig, 1024, 64 * 1024, 4),
    ];

    private static readonly Family[] LinuxLeftovers =
    [
        new((ref SeededRandom r) => $"/var/cache/yum/updates/packages/{Stem(ref r)}-{r.Next(1, 5)}.{r.Next(0, 20)}-{r.Next(1, 30)}.fc8.i386.rpm", ContentKind.Compressed, 64 * 1024, 16 << 20, 70),
        new((ref SeededRandom r) => $"/tmp/{Word(ref r)}.{Hex(ref r, 6)}", ContentKind.Syslog, 4 * 1024, 1 << 20, 30),
    ];

    private static readonly Family[] LinuxUpdates =
    [
        new((ref SeededRandom r) => $"/usr/lib/lib{Stem(ref r)}.so.{r.Next(0, 7)}.{r.Next(10)}", ContentKind.Elf, 16 * 1024, 2 << 20, 60),
        new((ref SeededRandom r) => $"/usr/bin/{Stem(ref r)}-{r.Next(2, 9)}", ContentKind.Elf, 8 * 1024, 1 << 20, 20),
        new((ref SeededRandom r) => $"/usr/share/doc/{Stem(ref r)}-{r.Next(1, 5)}.{r.Next(20, 40)}/NEWS", ContentKind.LinuxConfig, 2 * 1024, 128 * 1024, 8),
    ];

    private static readonly Family[] LinuxTemporary =
    [
        new((ref SeededRandom r) => $"/tmp/{Word(ref r)}.{Hex(ref r, 6)}", ContentKind.Compressed, 4 * 1024, 2 << 20, 5, true),
        new((ref SeededRandom r) => $"/var/tmp/{Word(ref r)}-{Hex(ref r, 8)}.log", ContentKind.Syslog, 4 * 1024, 1 << 20, 3, true),
        new((ref SeededRandom r) => $"/var/cache/yum/updates/packages/{Stem(ref r)}-{r.Next(1, 5)}.{r.Next(0, 20)}-{r.Next(1, 30)}.fc8.i386.rpm", ContentKind.Compressed, 64 * 1024, 8 << 20, 6, true),
    ];
}
