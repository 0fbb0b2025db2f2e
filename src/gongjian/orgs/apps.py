from gongjian.core import capabilities


class OrgsConfig(capabilities.Capability):
    name = "gongjian.orgs"
    label = "orgs"
    verbose_name = "组织体系"
