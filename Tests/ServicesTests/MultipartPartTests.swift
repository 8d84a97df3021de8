import FleetUploads
import Testing
@testable import STTService

@Suite("multipart/form-data reader")
struct MultipartPartTests {
    let boundary = "xYz-42"

    func parse(_ text: String) throws(MultipartPart.Malformed) -> [MultipartPart] {
        try MultipartPart.parse(Array(text.utf8), boundary: boundary)
    }

    @Test("parts, their names and bytes; preamble and epilogue ignored; CRLF inside content kept")
    func wellFormed() throws {
        let parts = try parse("preamble\r\n--xYz-42\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"
            + "--xYz-42  \r\ncontent-disposition: form-data; name=file; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
            + "ab\r\ncd\r\n--xYz-42--\r\nepilogue")
        #expect(parts.map(\.name) == ["note", "file"])
        #expect(parts[0].body == Array("hi".utf8))
        #expect(parts[1].body == Array("ab\r\ncd".utf8))
        #expect(parts[1].header("content-type") == "audio/wav")
    }

    @Test("a part with no headers and an empty part are read")
    func emptyParts() throws {
        let parts = try parse("--xYz-42\r\n\r\nraw\r\n--xYz-42\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--xYz-42--")
        #expect(parts.count == 2)
        #expect(parts[0].name == nil && parts[0].body == Array("raw".utf8))
        #expect(parts[1].name == "e" && parts[1].body.isEmpty)
    }

    @Test("malformed bodies are refused with a reason", arguments: [
        "", "no delimiter at all", "--xYz-42\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nbytes",
        "--xYz-42junk\r\n\r\nx\r\n--xYz-42--", "--xYz-42\r\nno header end", "--xYz-42\r\n: nameless\r\n\r\nx\r\n--xYz-42--",
        "--xYz-42\r\n" + String(repeating: "X-A: b\r\n", count: 17) + "\r\nx\r\n--xYz-42--",
        "--xYz-42\r\nX-Long: " + String(repeating: "a", count: 9000) + "\r\n\r\nx\r\n--xYz-42--",
        "--xYz-42", "--xYz-42\r\n",
    ])
    func malformed(body: String) {
        #expect(throws: MultipartPart.Malformed.self) { try parse(body) }
    }

    @Test("the upload's file field and media type; a boundary too long is refused")
    func upload() throws {
        let form = Array("--b\r\nContent-Disposition: form-data; name=\"file\"\r\nContent-Type: Audio/Ogg; codecs=opus\r\n\r\nOggS\r\n--b--\r\n".utf8)
        let upload = try MultipartUpload.extract(from: form, contentType: "multipart/form-data; boundary=\"b\"")
        #expect(upload.bytes == Array("OggS".utf8) && upload.mediaType == "audio/ogg")
        #expect(MultipartUpload.boundary(in: "multipart/form-data; boundary=" + String(repeating: "a", count: 71)) == nil)
    }
}
