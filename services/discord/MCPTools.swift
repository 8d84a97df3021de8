/// The tools GET /mcp/tools describes, in MCP's `tools/list` shape (`name`, `description`,
/// `inputSchema`), each with the HTTP endpoint that carries it out.
enum MCPTools {
    struct Manifest: Encodable {
        var server: Server
        var tools: [Tool]
    }

    struct Server: Encodable {
        var name: String
        var version: String
    }

    struct Tool: Encodable {
        var name: String
        var description: String
        var inputSchema: Schema
        var endpoint: String
    }

    struct Schema: Encodable {
        var type = "object"
        var properties: [String: Property]
        var required: [String]
    }

    struct Property: Encodable {
        var type: String
        var description: String
    }

    static let manifest = Manifest(
        server: Server(name: "discord.voice-interface", version: "1.0.0"),
        tools: [
            Tool(name: "discord.send_message",
                 description: "Send a message into a Discord text channel or voice channel chat.",
                 inputSchema: Schema(properties: [
                     "channel_id": Property(type: "string", description: "The channel to post in."),
                     "content": Property(type: "string", description: "The message, at most 2000 characters."),
                 ], required: ["channel_id", "content"]),
                 endpoint: "POST /mcp/send_message"),
            Tool(name: "discord.transcript",
                 description: "Hand a user's transcript to Atlas as if they had said it in the voice channel, and get the reply.",
                 inputSchema: Schema(properties: [
                     "transcript": Property(type: "string", description: "What the user said, without the wake phrase."),
                     "user_id": Property(type: "string", description: "Whose conversation this continues; a channel speaker's name uses their session."),
                     "channel_id": Property(type: "string", description: "If given, the reply is also posted in this channel."),
                     "include_audio": Property(type: "boolean", description: "Also return the spoken reply as base64 Ogg Opus."),
                 ], required: ["transcript"]),
                 endpoint: "POST /mcp/transcript"),
            Tool(name: "discord.speak",
                 description: "Make a speaker in the simulated voice channel say something now; the turn runs through the whole fleet.",
                 inputSchema: Schema(properties: [
                     "text": Property(type: "string", description: "What to say, 1 to 300 characters; start with \"Hey Atlas\" to address the assistant."),
                     "speaker": Property(type: "string", description: "A speaker's name; the least busy speaker when omitted."),
                 ], required: ["text"]),
                 endpoint: "POST /voice/speak"),
        ])
}
