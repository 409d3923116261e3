import type { MethodDefinition } from './define-method.js'
import batch from './system/batch.js'
import serverTime from './system/server.time.js'
import methods from './system/methods.js'
import profile from './system/profile.js'
import scope from './system/scope.js'
import userCurrent from './user/user.current.js'
import userGet from './user/user.get.js'
import departmentGet from './department/department.get.js'
import crmCategoryAdd from './crm/category/crm.category.add.js'
import crmCategoryDelete from './crm/category/crm.category.delete.js'
import crmCategoryFields from './crm/category/crm.category.fields.js'
import crmCategoryGet from './crm/category/crm.category.get.js'
import crmCategoryList from './crm/category/crm.category.list.js'
import crmCategoryUpdate from './crm/category/crm.category.update.js'
import crmTypeAdd from './crm/type/crm.type.add.js'
import crmTypeDelete from './crm/type/crm.type.delete.js'
import crmTypeFields from './crm/type/crm.type.fields.js'
import crmTypeGet from './crm/type/crm.type.get.js'
import crmTypeGetByEntityTypeId from './crm/type/crm.type.getByEntityTypeId.js'
import crmTypeList from './crm/type/crm.type.list.js'
import crmTypeUpdate from './crm/type/crm.type.update.js'
import crmCurrencyBaseGet from './crm/currency/crm.currency.base.get.js'
import crmCurrencyFields from './crm/currency/crm.currency.fields.js'
import crmCurrencyGet from './crm/currency/crm.currency.get.js'
import crmCurrencyList from './crm/currency/crm.currency.list.js'
import crmStatusAdd from './crm/status/crm.status.add.js'
import crmStatusDelete from './crm/status/crm.status.delete.js'
import crmStatusEntityItems from './crm/status/crm.status.entity.items.js'
import crmStatusEntityTypes from './crm/status/crm.status.entity.types.js'
import crmStatusFields from './crm/status/crm.status.fields.js'
import crmStatusGet from './crm/status/crm.status.get.js'
import crmStatusList from './crm/status/crm.status.list.js'
import crmStatusUpdate from './crm/status/crm.status.update.js'
import crmItemDelete from './crm/item/crm.item.delete.js'
import crmItemFields from './crm/item/crm.item.fields.js'
import crmItemGet from './crm/item/crm.item.get.js'
import crmItemList from './crm/item/crm.item.list.js'
import crmItemAdd from './crm/item/crm.item.add.js'
import crmItemUpdate from './crm/item/crm.item.update.js'
import { LEGACY_ENTITY_METHODS } from './crm/legacy/legacy-entity-methods.js'
import crmStagehistoryList from './crm/stagehistory/crm.stagehistory.list.js'
import crmLeadContactAdd from './crm/relations/crm.lead.contact.add.js'
import crmLeadContactDelete from './crm/relations/crm.lead.contact.delete.js'
import crmLeadContactFields from './crm/relations/crm.lead.contact.fields.js'
import crmLeadContactItemsGet from './crm/relations/crm.lead.contact.items.get.js'
import crmLeadContactItemsSet from './crm/relations/crm.lead.contact.items.set.js'
import crmLeadContactItemsDelete from './crm/relations/crm.lead.contact.items.delete.js'
import crmDealContactAdd from './crm/relations/crm.deal.contact.add.js'
import crmDealContactDelete from './crm/relations/crm.deal.contact.delete.js'
import crmDealContactFields from './crm/relations/crm.deal.contact.fields.js'
import crmDealContactItemsGet from './crm/relations/crm.deal.contact.items.get.js'
import crmDealContactItemsSet from './crm/relations/crm.deal.contact.items.set.js'
import crmDealContactItemsDelete from './crm/relations/crm.deal.contact.items.delete.js'
import crmContactCompanyAdd from './crm/relations/crm.contact.company.add.js'
import crmContactCompanyDelete from './crm/relations/crm.contact.company.delete.js'
import crmContactCompanyFields from './crm/relations/crm.contact.company.fields.js'
import crmContactCompanyItemsGet from './crm/relations/crm.contact.company.items.get.js'
import crmContactCompanyItemsSet from './crm/relations/crm.contact.company.items.set.js'
import crmContactCompanyItemsDelete from './crm/relations/crm.contact.company.items.delete.js'
import crmCompanyContactAdd from './crm/relations/crm.company.contact.add.js'
import crmCompanyContactDelete from './crm/relations/crm.company.contact.delete.js'
import crmCompanyContactFields from './crm/relations/crm.company.contact.fields.js'
import crmCompanyContactItemsGet from './crm/relations/crm.company.contact.items.get.js'
import crmCompanyContactItemsSet from './crm/relations/crm.company.contact.items.set.js'
import crmCompanyContactItemsDelete from './crm/relations/crm.company.contact.items.delete.js'
import crmMultifieldFields from './crm/multifield/crm.multifield.fields.js'

import crmLeadUserfieldAdd from './crm/userfield/crm.lead.userfield.add.js'
import crmLeadUserfieldGet from './crm/userfield/crm.lead.userfield.get.js'
import crmLeadUserfieldList from './crm/userfield/crm.lead.userfield.list.js'
import crmLeadUserfieldUpdate from './crm/userfield/crm.lead.userfield.update.js'
import crmLeadUserfieldDelete from './crm/userfield/crm.lead.userfield.delete.js'
import crmDealUserfieldAdd from './crm/userfield/crm.deal.userfield.add.js'
import crmDealUserfieldGet from './crm/userfield/crm.deal.userfield.get.js'
import crmDealUserfieldList from './crm/userfield/crm.deal.userfield.list.js'
import crmDealUserfieldUpdate from './crm/userfield/crm.deal.userfield.update.js'
import crmDealUserfieldDelete from './crm/userfield/crm.deal.userfield.delete.js'
import crmContactUserfieldAdd from './crm/userfield/crm.contact.userfield.add.js'
import crmContactUserfieldGet from './crm/userfield/crm.contact.userfield.get.js'
import crmContactUserfieldList from './crm/userfield/crm.contact.userfield.list.js'
import crmContactUserfieldUpdate from './crm/userfield/crm.contact.userfield.update.js'
import crmContactUserfieldDelete from './crm/userfield/crm.contact.userfield.delete.js'
import crmCompanyUserfieldAdd from './crm/userfield/crm.company.userfield.add.js'
import crmCompanyUserfieldGet from './crm/userfield/crm.company.userfield.get.js'
import crmCompanyUserfieldList from './crm/userfield/crm.company.userfield.list.js'
import crmCompanyUserfieldUpdate from './crm/userfield/crm.company.userfield.update.js'
import crmCompanyUserfieldDelete from './crm/userfield/crm.company.userfield.delete.js'
import crmUserfieldTypes from './crm/userfield/crm.userfield.types.js'
import crmUserfieldFields from './crm/userfield/crm.userfield.fields.js'
import crmUserfieldEnumerationFields from './crm/userfield/crm.userfield.enumeration.fields.js'
import crmUserfieldSettingsFields from './crm/userfield/crm.userfield.settings.fields.js'
import userfieldconfigAdd from './userfieldconfig/userfieldconfig.add.js'
import userfieldconfigGet from './userfieldconfig/userfieldconfig.get.js'
import userfieldconfigList from './userfieldconfig/userfieldconfig.list.js'
import userfieldconfigUpdate from './userfieldconfig/userfieldconfig.update.js'
import userfieldconfigDelete from './userfieldconfig/userfieldconfig.delete.js'
import userfieldconfigGetTypes from './userfieldconfig/userfieldconfig.getTypes.js'

/** Every registered method, listed by hand: no file-system scanning, no decorators (docs/architecture.md). */
export const ALL_METHODS: readonly MethodDefinition[] = [
  batch,
  serverTime,
  methods,
  profile,
  scope,
  userCurrent,
  userGet,
  departmentGet,
  crmCategoryAdd,
  crmCategoryDelete,
  crmCategoryFields,
  crmCategoryGet,
  crmCategoryList,
  crmCategoryUpdate,
  crmTypeAdd,
  crmTypeDelete,
  crmTypeFields,
  crmTypeGet,
  crmTypeGetByEntityTypeId,
  crmTypeList,
  crmTypeUpdate,
  crmCurrencyBaseGet,
  crmCurrencyFields,
  crmCurrencyGet,
  crmCurrencyList,
  crmStatusAdd,
  crmStatusDelete,
  crmStatusEntityItems,
  crmStatusEntityTypes,
  crmStatusFields,
  crmStatusGet,
  crmStatusList,
  crmStatusUpdate,
  crmItemDelete,
  crmItemFields,
  crmItemGet,
  crmItemList,
  crmItemAdd,
  crmItemUpdate,
  ...LEGACY_ENTITY_METHODS,
  crmStagehistoryList,
  crmLeadContactAdd,
  crmLeadContactDelete,
  crmLeadContactFields,
  crmLeadContactItemsGet,
  crmLeadContactItemsSet,
  crmLeadContactItemsDelete,
  crmDealContactAdd,
  crmDealContactDelete,
  crmDealContactFields,
  crmDealContactItemsGet,
  crmDealContactItemsSet,
  crmDealContactItemsDelete,
  crmContactCompanyAdd,
  crmContactCompanyDelete,
  crmContactCompanyFields,
  crmContactCompanyItemsGet,
  crmContactCompanyItemsSet,
  crmContactCompanyItemsDelete,
  crmCompanyContactAdd,
  crmCompanyContactDelete,
  crmCompanyContactFields,
  crmCompanyContactItemsGet,
  crmCompanyContactItemsSet,
  crmCompanyContactItemsDelete,
  crmMultifieldFields,
  crmLeadUserfieldAdd,
  crmLeadUserfieldGet,
  crmLeadUserfieldList,
  crmLeadUserfieldUpdate,
  crmLeadUserfieldDelete,
  crmDealUserfieldAdd,
  crmDealUserfieldGet,
  crmDealUserfieldList,
  crmDealUserfieldUpdate,
  crmDealUserfieldDelete,
  crmContactUserfieldAdd,
  crmContactUserfieldGet,
  crmContactUserfieldList,
  crmContactUserfieldUpdate,
  crmContactUserfieldDelete,
  crmCompanyUserfieldAdd,
  crmCompanyUserfieldGet,
  crmCompanyUserfieldList,
  crmCompanyUserfieldUpdate,
  crmCompanyUserfieldDelete,
  crmUserfieldTypes,
  crmUserfieldFields,
  crmUserfieldEnumerationFields,
  crmUserfieldSettingsFields,
  userfieldconfigAdd,
  userfieldconfigGet,
  userfieldconfigList,
  userfieldconfigUpdate,
  userfieldconfigDelete,
  userfieldconfigGetTypes,
]
