using System.Formats.Tar;

namespace OrleansEc2.Bundling.Tests;

public class TarHeaderTests
{
    [Theory]
    [InlineData("winami", 0)]
    [InlineData("winami", 1234)]
    [InlineData("a-prefix-that-is-much-longer-than-the-hundred-bytes-a-ustar-name-field-holds-so-it-needs-a-pax-header.img", 5000)]
    public async Task TarStream_ReadsBackAsOneEntryWithTheNameAndData(string name, int size)
    {
        var data = TestImages.Create(size);
        var header = TarHeader.Create(name, size, new DateTimeOffset(2008, 10, 2, 9, 31, 44, TimeSpan.Zero));
        var tar = new MemoryStream();
        tar.Write(header.Header);
        tar.Write(data);
        tar.Write(new byte[header.TotalLength - header.Header.Length - size]);
        tar.Position = 0;

        using var reader = new TarReader(tar);
        var entry = await reader.GetNextEntryAsync(copyData: true);

        entry!.Name.Should().Be(name);
        entry.Length.Should().Be(size);
        entry.ModificationTime.Should().Be(new DateTimeOffset(2008, 10, 2, 9, 31, 44, TimeSpan.Zero));
        var content = new MemoryStream();
        entry.DataStream?.CopyTo(content);
        content.ToArray().Should().Equal(data);
        (await reader.GetNextEntryAsync()).Should().BeNull();
        (header.TotalLength % TarHeader.RecordSize).Should().Be(0);
    }

    [Fact]
    public async Task TarStream_ListsWithGnuTar()
    {
        using var dir = new TempDirectory();
        var header = TarHeader.Create("winami", 3, new DateTimeOffset(2008, 10, 2, 9, 31, 44, TimeSpan.Zero));
        using (var file = File.Create(dir.File("image.tar")))
        {
            file.Write(header.Header);
            file.Write("abc"u8);
            file.Write(new byte[header.TotalLength - header.Header.Length - 3]);
        }

        var listing = await Shell.RunAsync("TZ=UTC tar -tvf image.tar", dir.Path);

        listing.Should().Be("-rw-r--r-- root/root         3 2008-10-02 09:31 winami\n");
    }
}
