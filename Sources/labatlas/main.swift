import LabAtlasServer

LabAtlasCLI.runTasksOnEventLoops()
await LabAtlasCLI.main()
