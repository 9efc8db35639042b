//! Reads the pressure corpus from `pyjamaz-corpus --pressure --stream` (beside this executable): one
//! distinct image of >= 1 MB per call. The generator runs in its own process (flat RSS, one image ahead
//! thanks to the pipe), so the probe's own memory holds only the image of the current call.
const std = @import("std");

pub const Stream = struct {
    child: std.process.Child,
    read_buf: [4096]u8 = undefined,
    reader: std.fs.File.Reader = undefined,
    /// The current image; page-backed, so that freeing it gives the pages straight back and leaves
    /// malloc's heap alone.
    current: []u8 = &.{},

    const page = std.heap.page_allocator;
    const max_image_bytes = 256 << 20;

    /// Starts the generator for images start..start+count of `seed`. The stream must stay at a fixed
    /// address from here on (the reader points into it).
    pub fn start(self: *Stream, gpa: std.mem.Allocator, seed: u64, first: u64, count: u64) !void {
        var exe_buf: [std.fs.max_path_bytes]u8 = undefined;
        const exe_dir = try std.fs.selfExeDirPath(&exe_buf);
        const tool = try std.fs.path.join(gpa, &.{ exe_dir, "pyjamaz-corpus" });
        defer gpa.free(tool);
        var seed_text: [24]u8 = undefined;
        var start_text: [24]u8 = undefined;
        var count_text: [24]u8 = undefined;
        const argv = [_][]const u8{
            tool,                                                     "--pressure",                                       "--stream",
            "--seed",                                                 try std.fmt.bufPrint(&seed_text, "{d}", .{seed}),   "--start",
            try std.fmt.bufPrint(&start_text, "{d}", .{first}), "--count", try std.fmt.bufPrint(&count_text, "{d}", .{count}),
        };
        self.* = .{ .child = std.process.Child.init(&argv, gpa) };
        self.child.stdin_behavior = .Ignore;
        self.child.stdout_behavior = .Pipe;
        self.child.stderr_behavior = .Inherit;
        try self.child.spawn();
        errdefer _ = self.child.kill() catch {};
        self.reader = self.child.stdout.?.readerStreaming(&self.read_buf);
    }

    /// The next image's bytes, valid until the next call (or `stop`).
    pub fn next(self: *Stream) ![]const u8 {
        self.release();
        const header = self.reader.interface.takeDelimiterExclusive('\n') catch return error.StreamEnded;
        const len = try bytesField(header);
        if (len == 0 or len > max_image_bytes) return error.BadStreamHeader;
        self.reader.interface.toss(1); // the newline
        const data = try page.alloc(u8, len);
        errdefer page.free(data);
        self.reader.interface.readSliceAll(data) catch return error.StreamEnded;
        self.current = data;
        return data;
    }

    fn release(self: *Stream) void {
        if (self.current.len != 0) page.free(self.current);
        self.current = &.{};
    }

    /// Closes the pipe (a generator still running stops at its next write) and reaps the child.
    pub fn stop(self: *Stream) void {
        self.release();
        if (self.child.stdout) |out| out.close();
        self.child.stdout = null;
        _ = self.child.wait() catch {};
    }
};

/// The value of `"bytes":N` in a header line.
fn bytesField(header: []const u8) !usize {
    const key = "\"bytes\":";
    const at = std.mem.indexOf(u8, header, key) orelse return error.BadStreamHeader;
    const rest = header[at + key.len ..];
    const end = std.mem.indexOfNone(u8, rest, "0123456789") orelse rest.len;
    return std.fmt.parseInt(usize, rest[0..end], 10) catch error.BadStreamHeader;
}

test "bytes field of a header line" {
    try std.testing.expectEqual(@as(usize, 1234), try bytesField("{\"index\":3,\"bytes\":1234}"));
    try std.testing.expectError(error.BadStreamHeader, bytesField("{\"index\":3}"));
}
