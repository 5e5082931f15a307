import LabAtlasServer

await LabAtlasCLI.main()
