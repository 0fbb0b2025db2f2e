from gongjian.core import capabilities


class BoardsConfig(capabilities.Capability):
    name = "gongjian.boards"
    label = "boards"
    verbose_name = "公示栏"
