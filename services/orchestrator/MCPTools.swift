/// The original agent's tools, described the way the Model Context Protocol lists tools
/// (`tools/list`: name, description, JSON-Schema `inputSchema`), for GET /mcp/tools.
public struct ToolDescriptor: Codable, Sendable, Equatable {
    public var name: String
    public var description: String
    public var inputSchema: ObjectSchema

    public init(name: String, description: String, inputSchema: ObjectSchema) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }
}

/// A JSON Schema for an object of named, typed properties.
public struct ObjectSchema: Codable, Sendable, Equatable {
    public struct Property: Codable, Sendable, Equatable {
        public var type: String
        public var description: String
        public var maxLength: Int?

        public init(type: String, description: String, maxLength: Int? = nil) {
            self.type = type
            self.description = description
            self.maxLength = maxLength
        }
    }

    public var type = "object"
    public var properties: [String: Property]
    public var required: [String]
    public var additionalProperties = false

    public init(properties: [String: Property] = [:], required: [String] = []) {
        self.properties = properties
        self.required = required
    }
}

/// GET /mcp/tools's body.
public struct ToolList: Codable, Sendable, Equatable {
    public var tools: [ToolDescriptor]
}

public enum MCPTools {
    /// The three tools the original's LangChain agent was given, with their arguments.
    public static let all: [ToolDescriptor] = [
        ToolDescriptor(
            name: "SendDiscordMessage",
            description: "Send a text message to a Discord channel through the voice bridge.",
            inputSchema: ObjectSchema(
                properties: [
                    "channel_id": .init(type: "string", description: "The Discord channel to post in."),
                    "message": .init(type: "string", description: "The text to send.", maxLength: 2000),
                ],
                required: ["channel_id", "message"])),
        ToolDescriptor(
            name: "SearchWeb",
            description: "Search the web and return the top results as short text snippets.",
            inputSchema: ObjectSchema(
                properties: ["query": .init(type: "string", description: "What to search for.", maxLength: 500)],
                required: ["query"])),
        ToolDescriptor(
            name: "GetCurrentTime",
            description: "Get the current date and time (ISO 8601, UTC).",
            inputSchema: ObjectSchema()),
    ]
}
