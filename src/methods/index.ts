import type { MethodDefinition } from './define-method.js'
import batch from './system/batch.js'
import serverTime from './system/server.time.js'
import methods from './system/methods.js'
import profile from './system/profile.js'
import scope from './system/scope.js'
import userCurrent from './user/user.current.js'
import userGet from './user/user.get.js'
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

/** Every registered method, listed by hand: no file-system scanning, no decorators (docs/architecture.md). */
export const ALL_METHODS: readonly MethodDefinition[] = [
  batch,
  serverTime,
  methods,
  profile,
  scope,
  userCurrent,
  userGet,
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
]
