def test_tenants_exist(tenant_a, tenant_b):
    assert tenant_a.schema_name == "t_alpha"
    assert tenant_b.schema_name == "t_beta"
