import { v5 as uuidv5 } from 'uuid';

/**
 * The demo region: Jiyuan's three provincial leading enterprises and a set of relief cooperatives,
 * after the 2020 campaign report. Producer names of the cooperatives, villages other than 谭庄村,
 * products, prices and lots are synthetic. Ids are deterministic so that every service seeds the
 * same producers (catalog owns them; the gateway scopes demo staff accounts to them).
 */
const NAMESPACE = '6f1d2c1e-8a8f-4c61-9d0e-2f1d5b7c9a10';

/** Deterministic id of a demo entity. */
export function demoId(kind: string, key: string): string {
  return uuidv5(`yugong:${kind}:${key}`, NAMESPACE);
}

export interface DemoProduct {
  key: string;
  nameZh: string;
  nameEn: string;
  category: string;
  unit: string;
  priceFen: number;
  originVillage: string;
  /** Units per lot, oldest first. */
  lots: number[];
}

export interface DemoProducer {
  key: string;
  kind: 'cooperative' | 'leading_enterprise' | 'family_farm' | 'industry_base';
  legalName: string;
  nameEn: string;
  town: string;
  village: string;
  householdShareBps: number;
  /** Demo staff account, for the leading enterprises. */
  staffEmail?: string;
  products: DemoProduct[];
}

const p = (
  key: string,
  nameZh: string,
  nameEn: string,
  category: string,
  unit: string,
  priceFen: number,
  originVillage: string,
  lots: number[],
): DemoProduct => ({ key, nameZh, nameEn, category, unit, priceFen, originVillage, lots });

export const DEMO_PRODUCERS: DemoProducer[] = [
  {
    key: 'yangguang',
    kind: 'leading_enterprise',
    legalName: '济源市阳光兔业科技有限公司',
    nameEn: 'Yangguang Rabbit',
    town: '思礼镇',
    village: '水洪池村',
    householdShareBps: 800,
    staffEmail: 'yangguang@example.com',
    products: [
      p('rabbit-chilled', '冷鲜兔肉', 'Chilled rabbit meat', 'meat', 'kg', 6_800, '水洪池村', [400, 600]),
      p(
        'rabbit-heads',
        '麻辣兔头',
        'Spicy rabbit heads',
        'processed',
        'box (500 g)',
        4_800,
        '水洪池村',
        [300, 300],
      ),
      p(
        'rabbit-jerky',
        '手撕兔肉干',
        'Shredded rabbit jerky',
        'processed',
        'bag (200 g)',
        3_900,
        '水洪池村',
        [500],
      ),
    ],
  },
  {
    key: 'ruixing',
    kind: 'leading_enterprise',
    legalName: '济源市瑞星牧业有限公司',
    nameEn: 'Ruixing Livestock',
    town: '邵原镇',
    village: '双房村',
    householdShareBps: 700,
    staffEmail: 'ruixing@example.com',
    products: [
      p('goat-meat', '太行黑山羊肉', 'Taihang black goat meat', 'meat', 'kg', 9_800, '双房村', [200, 250]),
      p(
        'free-range-chicken',
        '散养土鸡',
        'Free-range chicken (whole)',
        'poultry',
        'bird',
        12_800,
        '双房村',
        [150],
      ),
      p('free-range-eggs', '散养土鸡蛋', 'Free-range eggs', 'eggs', 'box (30)', 4_500, '双房村', [300, 300]),
    ],
  },
  {
    key: 'fengzhiyuan',
    kind: 'leading_enterprise',
    legalName: '济源市丰之源农业发展有限公司',
    nameEn: 'Fengzhiyuan',
    town: '克井镇',
    village: '枣庙村',
    householdShareBps: 600,
    staffEmail: 'fengzhiyuan@example.com',
    products: [
      p('millet', '太行小米', 'Taihang millet', 'grain', 'bag (2.5 kg)', 3_500, '枣庙村', [800, 800]),
      p(
        'donglingcao-tea',
        '王屋山冬凌草茶',
        'Wangwu Mountain Rabdosia tea',
        'tea',
        'tin (100 g)',
        6_800,
        '枣庙村',
        [400],
      ),
      p('walnuts', '薄皮核桃', 'Thin-shell walnuts', 'nuts', 'kg', 4_200, '枣庙村', [600]),
    ],
  },
  {
    key: 'tanzhuang-honey',
    kind: 'cooperative',
    legalName: '济源市王屋镇谭庄村蜂业专业合作社',
    nameEn: 'Tanzhuang Beekeeping Cooperative',
    town: '王屋镇',
    village: '谭庄村',
    householdShareBps: 2_000,
    products: [
      p(
        'wild-honey',
        '太行山土蜂蜜',
        'Taihang wild honey',
        'honey',
        'jar (500 g)',
        5_800,
        '谭庄村',
        [300, 200],
      ),
      p('jujube-honey', '枣花蜜', 'Jujube blossom honey', 'honey', 'jar (500 g)', 4_600, '谭庄村', [250]),
    ],
  },
  {
    key: 'shaoyuan-millet',
    kind: 'cooperative',
    legalName: '济源市邵原镇黄背角村杂粮种植专业合作社',
    nameEn: 'Huangbeijiao Grain Cooperative',
    town: '邵原镇',
    village: '黄背角村',
    householdShareBps: 1_800,
    products: [
      p(
        'yellow-millet',
        '邵原黄小米',
        'Shaoyuan yellow millet',
        'grain',
        'bag (1 kg)',
        1_600,
        '黄背角村',
        [1_000],
      ),
      p('buckwheat', '荞麦面', 'Buckwheat flour', 'grain', 'bag (1 kg)', 1_400, '黄背角村', [600]),
    ],
  },
  {
    key: 'potou-pomegranate',
    kind: 'cooperative',
    legalName: '济源市坡头镇石榴种植专业合作社',
    nameEn: 'Potou Pomegranate Cooperative',
    town: '坡头镇',
    village: '栲栳村',
    householdShareBps: 1_500,
    products: [
      p(
        'pomegranate',
        '软籽石榴',
        'Soft-seed pomegranates',
        'fruit',
        'box (5 kg)',
        8_800,
        '栲栳村',
        [200, 150],
      ),
    ],
  },
  {
    key: 'dayu-mushroom',
    kind: 'cooperative',
    legalName: '济源市大峪镇食用菌专业合作社',
    nameEn: 'Dayu Mushroom Cooperative',
    town: '大峪镇',
    village: '王庄村',
    householdShareBps: 1_600,
    products: [
      p('shiitake', '椴木香菇', 'Log-grown shiitake', 'mushrooms', 'bag (250 g)', 3_200, '王庄村', [400]),
      p('black-fungus', '黑木耳', 'Black fungus', 'mushrooms', 'bag (250 g)', 2_800, '王庄村', [300]),
    ],
  },
  {
    key: 'xiaye-walnut',
    kind: 'cooperative',
    legalName: '济源市下冶镇核桃专业合作社',
    nameEn: 'Xiaye Walnut Cooperative',
    town: '下冶镇',
    village: '石槽沟村',
    householdShareBps: 1_500,
    products: [
      p('walnut-kernels', '核桃仁', 'Walnut kernels', 'nuts', 'bag (500 g)', 4_500, '石槽沟村', [300]),
    ],
  },
  {
    key: 'sili-pepper',
    kind: 'cooperative',
    legalName: '济源市思礼镇花椒种植专业合作社',
    nameEn: 'Sili Sichuan Pepper Cooperative',
    town: '思礼镇',
    village: '石板沟村',
    householdShareBps: 1_200,
    products: [
      p(
        'sichuan-pepper',
        '大红袍花椒',
        'Dahongpao Sichuan pepper',
        'herbs',
        'bag (250 g)',
        3_600,
        '石板沟村',
        [400],
      ),
    ],
  },
  {
    key: 'chengliu-peach',
    kind: 'cooperative',
    legalName: '济源市承留镇桃果专业合作社',
    nameEn: 'Chengliu Peach Cooperative',
    town: '承留镇',
    village: '南勋村',
    householdShareBps: 1_400,
    products: [
      p('peaches', '承留水蜜桃', 'Chengliu honey peaches', 'fruit', 'box (5 kg)', 6_600, '南勋村', [250]),
    ],
  },
  {
    key: 'wulongkou-vegetable',
    kind: 'cooperative',
    legalName: '济源市五龙口镇蔬菜种植专业合作社',
    nameEn: 'Wulongkou Vegetable Cooperative',
    town: '五龙口镇',
    village: '化村',
    householdShareBps: 1_300,
    products: [p('yam', '铁棍山药', 'Iron-rod yam', 'vegetables', 'box (2.5 kg)', 5_200, '化村', [300])],
  },
  {
    key: 'zhicheng-oil',
    kind: 'cooperative',
    legalName: '济源市轵城镇油料加工专业合作社',
    nameEn: 'Zhicheng Oil Press Cooperative',
    town: '轵城镇',
    village: '泗涧村',
    householdShareBps: 1_200,
    products: [
      p(
        'sesame-oil',
        '小磨香油',
        'Stone-ground sesame oil',
        'oil',
        'bottle (500 ml)',
        3_800,
        '泗涧村',
        [400],
      ),
    ],
  },
  {
    key: 'lilin-crafts',
    kind: 'cooperative',
    legalName: '济源市梨林镇手工编织专业合作社',
    nameEn: 'Lilin Handweaving Cooperative',
    town: '梨林镇',
    village: '大许村',
    householdShareBps: 2_500,
    products: [
      p('straw-basket', '手工草编篮', 'Handwoven straw basket', 'crafts', 'piece', 6_800, '大许村', [100]),
    ],
  },
];

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * A synthetic but valid unified social credit code for a demo producer: registration office and
 * kind (91 enterprise, 93 farmers' cooperative), Jiyuan's division code 419001, a body derived
 * from the key, and the GB 32100-2015 check character.
 */
export function demoCreditCode(producer: DemoProducer): string {
  const head = producer.kind === 'cooperative' ? '93' : '91';
  const id = demoId('producer', producer.key).replace(/-/g, '');
  let body = '';
  for (let i = 0; i < 9; i++) {
    body += ALPHABET[parseInt(id.slice(i * 2, i * 2 + 2), 16) % 31];
  }
  const first17 = `${head}419001${body}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  }
  return first17 + ALPHABET[(31 - (sum % 31)) % 31];
}
