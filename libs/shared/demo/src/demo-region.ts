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
  /**
   * The producer's village; empty for the cooperatives generated below, which take the village of
   * their town at `villageSlot` in the demo register ({@link demoProducers} resolves it).
   */
  village: string;
  /** Index of the producer's village among its town's villages in the register, when `village` is empty. */
  villageSlot?: number;
  /**
   * A village-run cooperative (村股份经济合作社): the village collective owns it, and its benefit
   * agreements are with households of its own village.
   */
  villageRun?: boolean;
  /** The household share at registration (in force from 2019-01-01). */
  householdShareBps: number;
  /** Later changes of the household share, oldest first. */
  householdShareChanges?: DemoShareChange[];
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

/** A change of a demo producer's household share, recorded by the relief office. */
export interface DemoShareChange {
  /** YYYY-MM-DD: from 00:00 that day in China (UTC+8). */
  effectiveFrom: string;
  basisPoints: number;
  reason: string;
}

/** The producers named one by one: the three leading enterprises and the first cooperatives. */
const NAMED_PRODUCERS: DemoProducer[] = [
  {
    key: 'yangguang',
    kind: 'leading_enterprise',
    legalName: '济源市阳光兔业科技有限公司',
    nameEn: 'Yangguang Rabbit',
    town: '思礼镇',
    village: '水洪池村',
    householdShareBps: 800,
    householdShareChanges: [
      {
        effectiveFrom: '2020-07-01',
        basisPoints: 1_000,
        reason: '2020 supply agreements: more rabbits bought from registered households',
      },
    ],
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
    householdShareChanges: [
      { effectiveFrom: '2020-03-01', basisPoints: 2_200, reason: 'dividend raised for the epidemic months' },
      { effectiveFrom: '2020-10-01', basisPoints: 2_000, reason: 'dividend back to the agreed rate' },
    ],
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

/** What a generated cooperative raises or grows, and the products it sells. */
interface ProduceLine {
  key: string;
  /** The part of the cooperative's legal name after its village. */
  coopZh: string;
  coopEn: string;
  products: Omit<DemoProduct, 'originVillage' | 'lots'>[];
}

const item = (
  key: string,
  nameZh: string,
  nameEn: string,
  category: string,
  unit: string,
  priceFen: number,
) => ({ key, nameZh, nameEn, category, unit, priceFen });

// The produce of Jiyuan's relief cooperatives in the 2020 campaign (synthetic names and prices).
const PRODUCE_LINES: ProduceLine[] = [
  {
    key: 'rabbit',
    coopZh: '肉兔养殖专业合作社',
    coopEn: 'Rabbit Farming Cooperative',
    products: [item('rabbit-meat', '鲜兔肉', 'Fresh rabbit meat', 'meat', 'kg', 6_180)],
  },
  {
    key: 'goat',
    coopZh: '黑山羊养殖专业合作社',
    coopEn: 'Black Goat Cooperative',
    products: [item('goat-meat', '黑山羊肉', 'Black goat meat', 'meat', 'kg', 9_580)],
  },
  {
    key: 'pig',
    coopZh: '土猪养殖专业合作社',
    coopEn: 'Native Pig Cooperative',
    products: [
      item('pork', '土猪肉', 'Native pork', 'meat', 'kg', 5_590),
      item('cured-pork', '腊肉', 'Cured pork', 'processed', 'bag (500 g)', 4_750),
    ],
  },
  {
    key: 'cattle',
    coopZh: '肉牛养殖专业合作社',
    coopEn: 'Beef Cattle Cooperative',
    products: [item('beef', '黄牛肉', 'Yellow cattle beef', 'meat', 'kg', 11_680)],
  },
  {
    key: 'chicken',
    coopZh: '林下散养鸡专业合作社',
    coopEn: 'Forest Chicken Cooperative',
    products: [
      item('chicken', '林下散养鸡', 'Forest-raised chicken', 'poultry', 'bird', 11_680),
      item('eggs', '林下土鸡蛋', 'Forest-raised eggs', 'eggs', 'box (30)', 4_150),
    ],
  },
  {
    key: 'honey',
    coopZh: '中蜂养殖专业合作社',
    coopEn: 'Chinese Bee Cooperative',
    products: [item('honey', '中蜂土蜂蜜', 'Chinese bee honey', 'honey', 'jar (500 g)', 5_580)],
  },
  {
    key: 'walnut',
    coopZh: '核桃种植专业合作社',
    coopEn: 'Walnut Cooperative',
    products: [item('walnuts', '太行核桃', 'Taihang walnuts', 'nuts', 'kg', 3_760)],
  },
  {
    key: 'persimmon',
    coopZh: '柿子种植专业合作社',
    coopEn: 'Persimmon Cooperative',
    products: [
      item('dried-persimmons', '柿饼', 'Dried persimmons', 'fruit', 'box (1 kg)', 3_580),
      item('persimmon-vinegar', '柿子醋', 'Persimmon vinegar', 'processed', 'bottle (500 ml)', 2_750),
    ],
  },
  {
    key: 'millet',
    coopZh: '小米种植专业合作社',
    coopEn: 'Millet Cooperative',
    products: [item('millet', '山地小米', 'Mountain millet', 'grain', 'bag (1 kg)', 1_490)],
  },
  {
    key: 'grain',
    coopZh: '杂粮种植专业合作社',
    coopEn: 'Coarse Grain Cooperative',
    products: [
      item('corn-grits', '玉米糁', 'Corn grits', 'grain', 'bag (1 kg)', 980),
      item('mung-beans', '绿豆', 'Mung beans', 'grain', 'bag (1 kg)', 1_760),
    ],
  },
  {
    key: 'wheat',
    coopZh: '小麦种植专业合作社',
    coopEn: 'Wheat Cooperative',
    products: [item('flour', '石磨面粉', 'Stone-ground flour', 'grain', 'bag (2.5 kg)', 1_190)],
  },
  {
    key: 'jujube',
    coopZh: '大枣种植专业合作社',
    coopEn: 'Jujube Cooperative',
    products: [item('jujubes', '太行大枣', 'Taihang jujubes', 'fruit', 'bag (1 kg)', 2_780)],
  },
  {
    key: 'apple',
    coopZh: '苹果种植专业合作社',
    coopEn: 'Apple Cooperative',
    products: [item('apples', '山地苹果', 'Mountain apples', 'fruit', 'box (5 kg)', 6_660)],
  },
  {
    key: 'peanut',
    coopZh: '花生种植专业合作社',
    coopEn: 'Peanut Cooperative',
    products: [item('peanut-oil', '压榨花生油', 'Pressed peanut oil', 'oil', 'bottle (1 l)', 4_580)],
  },
  {
    key: 'chestnut',
    coopZh: '板栗种植专业合作社',
    coopEn: 'Chestnut Cooperative',
    products: [item('chestnuts', '板栗', 'Chestnuts', 'nuts', 'kg', 3_150)],
  },
  {
    key: 'forsythia',
    coopZh: '连翘种植专业合作社',
    coopEn: 'Forsythia Cooperative',
    products: [item('forsythia-tea', '连翘茶', 'Forsythia leaf tea', 'tea', 'tin (100 g)', 4_680)],
  },
];

// Towns of the generated cooperatives: how many each, and the first of the town's villages they
// take (the named producers hold the ones before it).
const COOPERATIVE_TOWNS: [nameZh: string, nameEn: string, cooperatives: number, firstSlot: number][] = [
  ['王屋镇', 'Wangwu', 6, 1],
  ['邵原镇', 'Shaoyuan', 6, 2],
  ['下冶镇', 'Xiaye', 5, 1],
  ['大峪镇', 'Dayu', 5, 1],
  ['坡头镇', 'Potou', 4, 1],
  ['思礼镇', 'Sili', 3, 2],
  ['克井镇', 'Kejing', 3, 1],
  ['承留镇', 'Chengliu', 3, 1],
  ['轵城镇', 'Zhicheng', 2, 1],
  ['梨林镇', 'Lilin', 2, 1],
  ['五龙口镇', 'Wulongkou', 1, 1],
];

/** Marks where a generated cooperative's village goes in its legal name. */
export const VILLAGE_PLACEHOLDER = '{village}';

/**
 * The 40 cooperatives after the named ones, for the report's 50 (synthetic): a produce line
 * each, every fourth one village-run (村股份经济合作社). Shares, lot sizes and lines come from a
 * fixed sequence, so they are the same on every machine.
 */
function generatedCooperatives(): DemoProducer[] {
  const cooperatives: DemoProducer[] = [];
  let n = 0;
  for (const [town, townEn, count, firstSlot] of COOPERATIVE_TOWNS) {
    for (let k = 0; k < count; k++, n++) {
      const line = PRODUCE_LINES[(n * 7) % PRODUCE_LINES.length];
      const villageRun = n % 4 === 3;
      const key = `${townEn.toLowerCase()}-${line.key}-${k + 1}`;
      cooperatives.push({
        key,
        kind: 'cooperative',
        legalName: villageRun
          ? `济源市${town}${VILLAGE_PLACEHOLDER}股份经济合作社`
          : `济源市${town}${VILLAGE_PLACEHOLDER}${line.coopZh}`,
        nameEn: villageRun
          ? `${townEn} Village Joint-Stock Cooperative ${k + 1}`
          : `${townEn} ${line.coopEn}`,
        town,
        village: '',
        villageSlot: firstSlot + k,
        villageRun,
        // 10 % to 25 %, in steps of 1 %; village-run ones promise more.
        householdShareBps: 1_000 + ((n * 37) % 16) * 100 + (villageRun ? 500 : 0),
        products: line.products.map((product, i) => ({
          ...product,
          originVillage: '',
          // Two or three lots of 150 to 600 units.
          lots: Array.from(
            { length: 2 + ((n + i) % 2) },
            (_, l) => 150 + ((n * 53 + i * 31 + l * 97) % 10) * 50,
          ),
        })),
      });
    }
  }
  return cooperatives;
}

/**
 * Every demo producer: the three leading enterprises and 50 relief cooperatives (the figure of the
 * 2020 report), 10 of them named one by one and 40 generated. The generated ones leave `village`
 * empty: {@link demoProducers} gives them their village from the register.
 */
export const DEMO_PRODUCERS: DemoProducer[] = [...NAMED_PRODUCERS, ...generatedCooperatives()];

/** Produced dates of a product's lots, by lot index: before the first demo sale, then restocks. */
export const DEMO_LOT_DATES = ['2019-12-16', '2020-05-08', '2020-09-10'];

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
