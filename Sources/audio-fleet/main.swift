print("audio-fleet")
